from django.shortcuts import render


def call(request, **kw):
    return render(request, "base.html")


def report(request, **kw):
    return render(request, "base.html")


def report_export(request, **kw):
    return render(request, "base.html")


def settings_edit(request, **kw):
    return render(request, "base.html")


def festivals(request, **kw):
    return render(request, "base.html")
