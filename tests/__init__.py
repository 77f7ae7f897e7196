"""The test folders are one package (``tests``), so a helper in one folder can be imported from another."""
