"""The home page of the panel (the admin index)."""
from flask_admin import AdminIndexView, expose

from admin.base import LoginRequiredMixin


class DashboardView(LoginRequiredMixin, AdminIndexView):
    """Each user's desk."""

    @expose("/")
    def index(self):
        return self.render("admin/dashboard.html")
