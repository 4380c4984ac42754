def current_person(request):
    """The logged-in person, for the site header; None for anonymous users and bare accounts."""
    user = getattr(request, "user", None)
    person = getattr(user, "person", None) if user and user.is_authenticated else None
    return {"current_person": person}
