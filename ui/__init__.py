"""Web interfaces over ``rag.Pipeline``: the citizens' chat, the operators' lookup and the HTTP API.

``ui.app.build_app(pipeline, feedback_store)`` builds the Gradio app; ``ui.app.serve(...)`` runs
everything (``rag serve``). Importing this package loads no model and starts no server.
"""
