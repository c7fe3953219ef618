"""A training run: the job record, the run's state and operations (``run``), the step loop
(``loop``), probes recorded at each validation, resuming a stopped run, and the child process
the app trains in."""
