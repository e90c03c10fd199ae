"""The Streamlit app's pages and helpers (the entry point is ``app.py`` beside this package).

``ui/state.py`` holds what pages share (the workspace, the cached tie index, this run's
`graph.explorer.Explorer`), ``ui/widgets.py`` how an answer is drawn; each other module is a
page run by `st.navigation`. Pages are thin: every number they show comes from one library
call, and every piece of untrusted text goes through `graph.escape` (Markdown) or is shown
as plain text.
"""
