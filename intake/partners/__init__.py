"""Partner systems: 110 diversion, camera and IoT alarms, the city platform."""
