"""The LangGraph support agent: one turn of a conversation as a graph of nodes."""
