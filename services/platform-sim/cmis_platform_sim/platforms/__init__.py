"""One simulated platform per module; each speaks that platform's real request and
response shapes, including its own error and throttle signals."""
