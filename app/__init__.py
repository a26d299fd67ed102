"""The web chat (`python -m app`): gradio page over rag's Pipeline, with cited source cards, filters, feedback and,
for staff, the retrieval trace and the document browser. `app.ui.build_app` builds it with everything injected."""
