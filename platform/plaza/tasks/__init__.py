"""Long-running jobs that a person started and wants to watch: a Task row per job."""
