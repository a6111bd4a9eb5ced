"""Documents people can hold: the one-stop forms as PDFs, and signed results anyone can verify."""
