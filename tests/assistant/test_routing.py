"""Model routing: sticky weighted A/B per conversation, pins, personas, runtime weights, settings validation."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from assistant.errors import InvalidInput, NotFound
from assistant.routing import DEFAULT_ENDPOINT, ModelRouter, RoutingSettings, build_router
from assistant.routing.settings import MAX_VERSIONS
from generation import GenerationConfig, Generator, build_generator


def _openai(model: str) -> dict:
    # Never called in these tests: routing only chooses; the backend is built but never connects.
    return {"backend": "openai", "openai": {"base_url": "http://127.0.0.1:9/v1", "model": model}}


def _settings(**chat: object) -> RoutingSettings:
    spec = {"versions": {"v1": _openai("a"), "v2": _openai("b"), "v3": _openai("c")}, **chat}
    return RoutingSettings.model_validate({"endpoints": {"chat": spec}, "default_endpoint": "chat",
                                           "personas": {"friend": "chat", "plain": DEFAULT_ENDPOINT}})


@pytest.fixture(scope="module")
def section_generator() -> Generator:
    return build_generator(GenerationConfig.model_validate(_openai("section")))


@pytest.fixture
def router(section_generator: Generator) -> ModelRouter:
    return build_router(_settings(weights={"v1": 70, "v2": 30}, shadow="v3"), section_generator)


def _conversations(n: int, seed: str = "c") -> list[str]:
    return [uuid.uuid5(uuid.NAMESPACE_URL, f"{seed}-{i}").hex for i in range(n)]


def test_ab_split_70_30_over_1000_conversations_lands_within_5_percent(router: ModelRouter) -> None:
    versions = [router.route(c).version for c in _conversations(1000)]
    share = versions.count("v1") / len(versions)
    assert abs(share - 0.70) <= 0.05
    assert versions.count("v1") + versions.count("v2") == 1000


def test_assignment_is_sticky_per_conversation_and_across_replicas(router: ModelRouter,
                                                                   section_generator: Generator) -> None:
    replica = build_router(_settings(weights={"v1": 70, "v2": 30}), section_generator)
    for conversation in _conversations(200, "sticky"):
        first = router.route(conversation).version
        assert all(router.route(conversation).version == first for _ in range(3))
        assert replica.route(conversation).version == first


def test_weighted_route_records_arm_and_shadow(router: ModelRouter) -> None:
    route = router.route("conversation-1")
    assert route.assignment == "weighted"
    assert route.trace() == {"endpoint": "chat", "version": route.version, "assignment": "weighted",
                             "shadow": "v3"}
    assert route.generator is router.get("chat").versions[route.version]
    assert route.shadow is router.get("chat").versions["v3"]


def test_weight_change_at_runtime_moves_only_the_band_that_changed_hands(router: ModelRouter) -> None:
    conversations = _conversations(1000, "move")
    before = {c: router.route(c).version for c in conversations}
    router.get("chat").set_weights({"v1": 60, "v2": 40})
    after = {c: router.route(c).version for c in conversations}
    moved = [c for c in conversations if before[c] != after[c]]
    assert all(before[c] == "v1" and after[c] == "v2" for c in moved)
    assert abs(len(moved) / 1000 - 0.10) <= 0.04
    assert all(after[c] == "v2" for c in conversations if before[c] == "v2")


def test_zero_weight_version_gets_no_new_traffic(router: ModelRouter) -> None:
    router.get("chat").set_weights({"v1": 0, "v2": 1})
    assert {router.route(c).version for c in _conversations(300, "zero")} == {"v2"}


def test_runtime_weights_refuse_unknown_negative_and_all_zero(router: ModelRouter) -> None:
    endpoint = router.get("chat")
    for bad in ({"v9": 1}, {"v1": -1}, {"v1": 0, "v2": 0}, {"v1": float("nan")}):
        with pytest.raises(InvalidInput) as caught:
            endpoint.set_weights(bad)
        assert caught.value.param == "weights" and caught.value.status_code == 422
    assert endpoint.weights == {"v1": 70, "v2": 30}


def test_pinned_version_beats_the_split_and_unknown_pins_are_404(router: ModelRouter) -> None:
    for conversation in _conversations(50, "pin"):
        route = router.route(conversation, version="v2")
        assert (route.version, route.assignment) == ("v2", "pinned")
    with pytest.raises(NotFound) as caught:
        router.route("c", version="v9")
    assert caught.value.code == "model_version_not_found" and "v1" in caught.value.message
    with pytest.raises(NotFound) as caught:
        router.route("c", endpoint="nope")
    assert caught.value.code == "model_endpoint_not_found"


def test_shadow_is_not_run_when_it_is_the_live_version(router: ModelRouter) -> None:
    route = router.route("c", version="v3")
    assert route.version == "v3" and route.shadow is None


def test_endpoint_comes_from_request_then_persona_then_default(router: ModelRouter,
                                                               section_generator: Generator) -> None:
    assert router.route("c", persona="plain").endpoint == DEFAULT_ENDPOINT
    assert router.route("c", persona="plain").generator is section_generator
    assert router.route("c", persona="friend").endpoint == "chat"
    assert router.route("c", persona="unmapped").endpoint == "chat"
    assert router.route("c", endpoint=DEFAULT_ENDPOINT, persona="friend").endpoint == DEFAULT_ENDPOINT


def test_no_routing_configured_serves_the_generation_section_alone(section_generator: Generator) -> None:
    router = build_router(RoutingSettings(), section_generator)
    route = router.route("any")
    assert (route.endpoint, route.assignment, route.shadow) == (DEFAULT_ENDPOINT, "single", None)
    assert route.generator is section_generator
    assert router.statuses() == []


def test_endpoint_without_weights_sends_everything_to_its_first_version(section_generator: Generator) -> None:
    router = build_router(_settings(), section_generator)
    assert {router.route(c).version for c in _conversations(100, "first")} == {"v1"}
    assert router.get("chat").effective_weights() == {"v1": 1.0}


def test_every_configured_version_reports_readiness(router: ModelRouter) -> None:
    names = [s.name for s in router.statuses()]
    assert names == ["model:chat/v1", "model:chat/v2", "model:chat/v3"]


@pytest.mark.parametrize(("spec", "message"), [
    ({"weights": {"v9": 1}}, "unknown versions"),
    ({"weights": {"v1": 0, "v2": 0}}, "at least one weight"),
    ({"weights": {"v1": -5}}, ">= 0"),
    ({"shadow": "v9"}, "shadow 'v9' is not one of the versions"),
])
def test_settings_refuse_routing_that_cannot_work(spec: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _settings(**spec)


def test_settings_refuse_unknown_default_endpoint_persona_target_and_reserved_name() -> None:
    versions = {"versions": {"v1": _openai("a")}}
    with pytest.raises(ValidationError, match="default_endpoint"):
        RoutingSettings.model_validate({"endpoints": {"chat": versions}, "default_endpoint": "other"})
    with pytest.raises(ValidationError, match="unknown endpoints"):
        RoutingSettings.model_validate({"endpoints": {"chat": versions}, "personas": {"p": "other"}})
    with pytest.raises(ValidationError, match="reserved"):
        RoutingSettings.model_validate({"endpoints": {DEFAULT_ENDPOINT: versions}})


def test_versions_per_endpoint_limit_accepts_n_and_refuses_n_plus_one() -> None:
    def spec(n: int) -> dict:
        return {"endpoints": {"chat": {"versions": {f"v{i}": _openai("m") for i in range(n)}}}}

    assert len(RoutingSettings.model_validate(spec(MAX_VERSIONS)).endpoints["chat"].versions) == MAX_VERSIONS
    with pytest.raises(ValidationError, match="versions"):
        RoutingSettings.model_validate(spec(MAX_VERSIONS + 1))


def test_routing_settings_load_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.settings import load_settings

    monkeypatch.setenv("ASSISTANT_ROUTING__ENDPOINTS__CHAT__VERSIONS__V1__BACKEND", "openai")
    monkeypatch.setenv("ASSISTANT_ROUTING__ENDPOINTS__CHAT__VERSIONS__V2__BACKEND", "openai")
    monkeypatch.setenv("ASSISTANT_ROUTING__ENDPOINTS__CHAT__WEIGHTS", '{"v1": 70, "v2": 30}')
    monkeypatch.setenv("ASSISTANT_ROUTING__DEFAULT_ENDPOINT", "chat")
    settings = load_settings()
    assert settings.routing.endpoints["chat"].weights == {"v1": 70.0, "v2": 30.0}
    assert settings.routing.default_endpoint == "chat"
