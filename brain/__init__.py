"""The agent's brain: understanding customer turns and wording replies, behind one interface."""
