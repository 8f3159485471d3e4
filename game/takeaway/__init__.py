"""What leaves the window: recordings, pictures and saves in the run's folder. Imports drawing/ and panels/."""
