"""The app the benchmark measures: the panel plus the stock admin, CSRF off for scripted requests."""
import os

from app import create_app
from bench.stock import register_stock_admin
from config import Config

PASSWORD = "bench-password-1"
MANAGER = "manager@example.com"


def bench_app():
    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]
        WTF_CSRF_ENABLED = False
        SECRET_KEY = "bench"
        DEMO_PASSWORD = PASSWORD
        ADMIN_PAGE_SIZE = 20

    app = create_app(BenchConfig)
    register_stock_admin(app)
    return app


def logged_in_client(app, email: str = MANAGER):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, "bench login failed"
    return client
