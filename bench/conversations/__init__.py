"""`trustdesk eval conversations`: scripted customers talk to the agent; how often it resolves.

`scenarios` reads the suite (`dev.yaml`, `heldout.yaml`), `customer` is the
scripted customer's policy, `judge` compares what happened with each goal and
`runner` plays the suite on a stack of its own and prints the report.
"""
