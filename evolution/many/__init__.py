"""Many runs at once: side by side in lockstep, sweeps over seeds, studies over settings."""
