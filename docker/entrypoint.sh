#!/bin/sh
# Container entrypoint. Settings come from the environment (ASSISTANT_*, DATABASE_URL), optionally plus the YAML
# file named by ASSISTANT_CONFIG; nothing is baked into the image.
#   serve [args]  the API: `assistant serve` (host and port from ASSISTANT_SERVER__HOST / __PORT)
#   mii           DeepSpeed-MII's OpenAI-compatible server over the model mounted at ASSISTANT_MODEL, across
#                 ASSISTANT_GENERATION__MII__TENSOR_PARALLEL GPUs per replica and
#                 ASSISTANT_GENERATION__MII__REPLICA_NUM replicas (the generation settings' names)
#   anything else is run as a command (e.g. `assistant db upgrade`)
set -eu

case "${1:-serve}" in
  serve)
    [ "$#" -gt 0 ] && shift
    exec assistant serve "$@"
    ;;
  mii)
    shift
    : "${ASSISTANT_MODEL:?set ASSISTANT_MODEL to the mounted model directory, e.g. /models/chat}"
    exec python -m mii.entrypoints.openai_api_server \
      --model "${ASSISTANT_MODEL}" \
      --deployment-name "${ASSISTANT_GENERATION__MII__DEPLOYMENT_NAME:-assistant-lm}" \
      --tensor-parallel "${ASSISTANT_GENERATION__MII__TENSOR_PARALLEL:-1}" \
      --replica-num "${ASSISTANT_GENERATION__MII__REPLICA_NUM:-1}" \
      --max-length "${ASSISTANT_GENERATION__MII__MAX_LENGTH:-4096}" \
      --host 0.0.0.0 \
      --port "${MII_PORT:-23333}" \
      "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
