"""`python -m brain.corpus`: regenerate the shipped corpus files."""

from brain.corpus import main

raise SystemExit(main())
