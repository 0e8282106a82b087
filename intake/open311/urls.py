"""GeoReport v2 addresses: each endpoint ends in .json or .xml, which chooses the format.
`request/{id}` (the spec's swagger) and `requests/{id}` (its wiki) both name one request."""

from django.urls import URLPattern, re_path

from intake.open311 import views

FMT = r"\.(?P<fmt>json|xml)$"

app_name = "open311"
urlpatterns: list[URLPattern] = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<service_code>[\w-]{1,40})" + FMT, views.definition, name="service"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests?/(?P<number>\w{1,20})" + FMT, views.one_request, name="request"),
    re_path(r"^tokens/(?P<token>[\w-]{1,64})" + FMT, views.token, name="token"),
    re_path(r"^(?P<path>.*)\.(?P<fmt>json|xml)$", views.not_found),
    re_path(r"^(?P<path>.*)$", views.not_found, name="not_found"),
]
