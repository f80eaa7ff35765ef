"""AI-speaker surfaces (CLOVA CEK, Alexa ASK): thin routers over the pipeline, speech made for the ear."""
