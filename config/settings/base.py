"""Settings shared by every environment; everything that differs comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "organization",
    "media_library",
    "courses",
    "quizzes",
    "lecturer_portal",
    "reports",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, but an unchanged session is saved only when its expiry is due to be pushed back.
    "organization.sessions.SessionMiddleware",
    "organization.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so that it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "organization.context_processors.current_person",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the site and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out account or address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # ModelBackend that loads the person and their unit with the user.
    "organization.backends.PersonModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after a working day of inactivity and when the browser closes. The expiry is
# pushed back by a request when it was last pushed back over ORGANIZATION_SESSION_REFRESH_SECONDS
# ago, not by a write on every request (organization/sessions.py).
SESSION_ENGINE = "organization.sessions"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
ORGANIZATION_SESSION_REFRESH_SECONDS = 300
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Failed logins: lock an account, or an address, after AXES_FAILURE_LIMIT failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "organization.views.lockout_response"
AXES_RESET_ON_SUCCESS = True
# A successful login forgets that account's failures only, never the address's (see the module).
AXES_HANDLER = "organization.login_throttle.AccountResetDatabaseHandler"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    # S3-compatible object storage (django-storages reads the AWS_* variables itself).
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "培训平台 <training@example.com>")

WAGTAIL_SITE_NAME = _("交叉销售培训平台")
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# The database backend with Chinese word segmentation (jieba), on SQLite and PostgreSQL alike.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "config.search.backend"}}
WAGTAILADMIN_LOGIN_URL = "login"

# Bulk imports: the largest spreadsheet accepted, in bytes.
PEOPLE_IMPORT_MAX_BYTES = int(os.environ.get("PEOPLE_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000

# --- media_library: videos, audio and documents (media_library/README.md) ---
INSTALLED_APPS += ["wagtailmedia"]
_VIDEO_EXTENSIONS = "mp4,m4v,mov,avi,wmv,asf,mkv,webm,flv,mpg,mpeg,vob,ts,3gp,rm,rmvb"
_AUDIO_EXTENSIONS = "mp3,m4a,aac,wav,wma,amr,ogg,flac"
WAGTAILMEDIA = {
    "MEDIA_MODEL": "media_library.TrainingMedia",
    "MEDIA_FORM_BASE": "media_library.forms.TrainingMediaForm",
    "VIDEO_EXTENSIONS": env_list("MEDIA_VIDEO_EXTENSIONS", _VIDEO_EXTENSIONS),
    "AUDIO_EXTENSIONS": env_list("MEDIA_AUDIO_EXTENSIONS", _AUDIO_EXTENSIONS),
}
WAGTAILDOCS_DOCUMENT_MODEL = "media_library.TrainingDocument"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "media_library.forms.TrainingDocumentForm"
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "ppt", "pptx", "xls", "xlsx"]
MEDIA_UPLOAD_MAX_BYTES = int(os.environ.get("MEDIA_UPLOAD_MAX_BYTES", str(4 * 1024**3)))
DOCUMENT_UPLOAD_MAX_BYTES = int(os.environ.get("DOCUMENT_UPLOAD_MAX_BYTES", str(200 * 1024**2)))
FFMPEG_BINARY = os.environ.get("FFMPEG_BINARY", "ffmpeg")
FFPROBE_BINARY = os.environ.get("FFPROBE_BINARY", "ffprobe")
MEDIA_PROBE_TIMEOUT_SECONDS = int(os.environ.get("MEDIA_PROBE_TIMEOUT_SECONDS", "60"))
MEDIA_TRANSCODE_TIMEOUT_SECONDS = int(os.environ.get("MEDIA_TRANSCODE_TIMEOUT_SECONDS", "14400"))
# --- end media_library ---

# --- courses: catalogue, lessons, progress (courses/README.md) ---
# A video or audio lesson counts as watched when the watched intervals cover this share of it.
COURSES_WATCHED_THRESHOLD = float(os.environ.get("COURSES_WATCHED_THRESHOLD", "0.9"))
# Lessons show a PDF textbook inline (<object>) from this site; other sites still may not frame us.
X_FRAME_OPTIONS = "SAMEORIGIN"
# --- end courses ---

# --- quizzes: certificates and the certification check API (quizzes/README.md) ---
# reportlab embeds TrueType only: Debian's fonts-wqy-zenhei (manage.py check: quizzes.E001).
QUIZZES_CERTIFICATE_FONT = os.environ.get(
    "QUIZZES_CERTIFICATE_FONT", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
)
# Certificates expiring within this many days prompt recertification (home page, e-mail).
QUIZZES_EXPIRY_NOTICE_DAYS = int(os.environ.get("QUIZZES_EXPIRY_NOTICE_DAYS", "30"))
# The public verification page: lookups per client address per minute.
QUIZZES_VERIFY_RATE_PER_MINUTE = int(os.environ.get("QUIZZES_VERIFY_RATE_PER_MINUTE", "30"))
# --- end quizzes certificates ---

# --- quizzes: attempts (quizzes/README.md) ---
# Answers and submissions are still taken this long after an attempt's deadline (network delay);
# later the server closes the attempt with the answers saved by then.
QUIZZES_DEADLINE_GRACE_SECONDS = int(os.environ.get("QUIZZES_DEADLINE_GRACE_SECONDS", "30"))
# --- end quizzes attempts ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}},
}
AXES_VERBOSE = False
