"""The notifier's decisions as pure code (no I/O import): which channel an alert goes to
(``routing``), when a group of alerts is due as one message (``grouping``), quiet hours and
silences, what the messages say (``messages``), how they are signed (``signing``) and what a
failed delivery leads to (``delivery``)."""
