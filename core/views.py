from django.shortcuts import render


def coming_soon(request, title):
    return render(request, "core/coming_soon.html", {"title": title})
