"""上报渠道 intake channels: every way a problem reaches the platform, each ending in
cases.reporting.report_case and the workflow verbs through the request edge (org/access.py).

- mobile/   the inspector app (城管通) under /m/: reports, tasks, duty and tracks
- portal/   the public portal under /public/: report without an account, track, rate
- hotline/  the 12319-style hotline console for acceptors
- partners/ partner systems (110 diversion, cameras and IoT alarms, the city platform)
- open311/  Open311 GeoReport v2 under /open311/v2/
"""
