"""Example bodies shown in the OpenAPI document and used in its request samples."""

from __future__ import annotations

ORG = "6f1c2f4e-8a51-4c86-9a4b-1d3f5e7a9b10"
INTEGRATION = "0b7e3c9a-2d4f-4e61-8f0a-5c2d9e1b3a47"
RUN = "c3a1e5f7-9b2d-4f68-a0c4-e6b8d2f4a1c9"
TIME = "2024-01-15T14:30:00Z"

EXCHANGE_RATES = {
    "rates_as_of": "2024-01-15",
    "rate_dates": {"USD": {"first": "2023-12-15", "last": "2024-01-15"}},
    "unconverted_currencies": [],
}
CONVERTED = {
    "currency": "EUR",
    "spend": 6851.25,
    "conversion_value": 17128.13,
    "rates_as_of": "2024-01-15",
}
DASHBOARD = {
    "org_id": ORG,
    "org_name": "Company Name",
    "timezone": "Europe/Berlin",
    "currency": "EUR",
    "exchange_rates": EXCHANGE_RATES,
    "overview": {
        "period": "Last 30 days",
        "advertising": {
            "total_spend": 5000,
            "total_impressions": 100000,
            "total_clicks": 5000,
            "total_conversions": 120,
            "avg_ctr": 5.0,
            "avg_cpc": 1.0,
            "roi": 250,
        },
        "content": {"posts_published": 45, "engagement_rate": 4.5},
    },
    "kpis": [
        {"name": "ROI", "metric": "roi", "target": 300, "actual": 250, "status": "in_progress"}
    ],
    "active_campaigns": [
        {
            "id": "1d2e3f40-5a6b-4c7d-8e9f-a0b1c2d3e4f5",
            "name": "Summer Campaign",
            "platform": "google",
            "currency": "USD",
            "budget": 10000,
            "budget_period": "lifetime",
            "spend": 7500,
            "spend_against_budget": 7500,
            "budget_used_pct": 75,
            "impressions": 50000,
            "clicks": 2500,
            "ctr": 5.0,
            "converted": CONVERTED,
        }
    ],
    "scheduled_content": [
        {
            "id": "2e3f4051-6b7c-4d8e-9fa0-b1c2d3e4f506",
            "content": "Post content preview...",
            "platforms": ["meta", "twitter"],
            "scheduled_for": "2024-01-16T10:00:00Z",
            "status": "scheduled",
        }
    ],
    "recent_posts": [
        {
            "id": "3f405162-7c8d-4e9f-a0b1-c2d3e4f50617",
            "platform": "meta",
            "content": "Our summer sale starts today!",
            "published_at": "2024-01-15T09:00:00Z",
            "likes": 120,
            "comments": 14,
            "shares": 9,
            "impressions": 4200,
            "engagement_rate": 3.4,
        }
    ],
    "connected_accounts": {
        "total": 1,
        "by_platform": {"google": 1},
        "accounts": [
            {
                "id": INTEGRATION,
                "platform": "google",
                "account_id": "123-456-7890",
                "account_name": "Main Ads",
                "status": "active",
                "status_reason": None,
                "currency": "USD",
                "token_expires_at": "2024-02-15T00:00:00Z",
            }
        ],
    },
    "alerts": [
        {
            "id": "40516273-8d9e-4fa0-b1c2-d3e4f5061728",
            "type": "budget",
            "severity": "warning",
            "message": "Campaign 'Summer' has used 90% of budget",
            "subject_type": "campaign",
            "subject_id": "1d2e3f40-5a6b-4c7d-8e9f-a0b1c2d3e4f5",
            "integration_id": None,
            "campaign_id": "1d2e3f40-5a6b-4c7d-8e9f-a0b1c2d3e4f5",
        }
    ],
    "sync_status": {
        "total": 1,
        "syncing": 0,
        "success": 1,
        "failed": 0,
        "pending": 0,
        "last_sync": TIME,
    },
    "updated_at": "2024-01-15T15:00:00Z",
}

LANE = {
    "data_type": "metrics",
    "status": "failed",
    "run_id": RUN,
    "trigger": "scheduled",
    "attempt": 1,
    "requested_at": TIME,
    "started_at": TIME,
    "finished_at": TIME,
    "will_retry": True,
    "next_retry_at": "2024-01-15T14:31:00Z",
    "next_scheduled_at": "2024-01-15T15:30:00Z",
}
INTEGRATION_STATUS = {
    "integration_id": INTEGRATION,
    "platform": "google",
    "account_id": "123-456-7890",
    "account_name": "Main Ads",
    "connection_status": "active",
    "status_reason": None,
    "status": "failed",
    "last_synced_at": "2024-01-15T13:30:00Z",
    "last_error": {"error_class": "rate_limited", "message": "429 from the platform", "at": TIME},
    "attempt": 1,
    "will_retry": True,
    "next_retry_at": "2024-01-15T14:31:00Z",
    "next_scheduled_sync": "2024-01-15T15:30:00Z",
    "data_types": [LANE],
}
SYNC_STATUS = {
    "org_id": ORG,
    "summary": {
        "total": 1,
        "syncing": 0,
        "success": 0,
        "failed": 1,
        "pending": 0,
        "last_sync": "2024-01-15T13:30:00Z",
    },
    "integrations": [INTEGRATION_STATUS],
}
INTEGRATION_DETAIL = {
    "integration": INTEGRATION_STATUS,
    "recent_runs": [
        {
            "run_id": RUN,
            "data_type": "metrics",
            "trigger": "scheduled",
            "status": "retrying",
            "attempt": 1,
            "requested_by": None,
            "requested_at": TIME,
            "started_at": TIME,
            "finished_at": TIME,
            "next_attempt_at": "2024-01-15T14:31:00Z",
            "error_class": "rate_limited",
            "error_message": "429 from the platform",
            "counts": {},
            "attempts": [
                {
                    "attempt": 1,
                    "worker_id": "sync-worker@host",
                    "started_at": TIME,
                    "finished_at": TIME,
                    "outcome": "failed",
                    "error_class": "rate_limited",
                    "error_message": "429 from the platform",
                    "retryable": True,
                }
            ],
        }
    ],
}
TRIGGER_REQUEST = {"data_type": "metrics"}
TRIGGER_RESPONSE = {
    "org_id": ORG,
    "runs": [
        {
            "run_id": RUN,
            "integration_id": INTEGRATION,
            "platform": "google",
            "data_type": "metrics",
            "status": "queued",
            "created": True,
            "correlation_id": "d4b2f6a8-0c3e-4f79-b1d5-f7c9e3a5b2d0",
        }
    ],
}
STATISTICS = {
    "org_id": ORG,
    "period_days": 7,
    "since": "2024-01-08T15:00:00Z",
    "runs_by_outcome": {"success": 160, "failed": 3, "retrying": 1},
    "success_rate": 0.98,
    "duration_p50_ms": 850.0,
    "duration_p95_ms": 4200.0,
    "failures_by_error_class": {"rate_limited": 2, "timeout": 1},
    "failures_by_platform": {"google": 2, "tiktok": 1},
    "freshness": [
        {
            "integration_id": INTEGRATION,
            "platform": "google",
            "account_name": "Main Ads",
            "last_synced_at": TIME,
            "age_seconds": 1800.0,
        }
    ],
}
ORGS = {
    "organizations": [
        {"id": ORG, "name": "Company Name", "timezone": "Europe/Berlin", "role": "member"}
    ]
}
CONNECT = {
    "platform": "google",
    "account_id": "123-456-7890",
    "account_name": "Main Ads",
    "credentials": {"access_token": "ya29.a0...", "refresh_token": "1//0g..."},
    "token_expires_at": "2024-02-15T00:00:00Z",
    "refreshable": True,
    "currency": "USD",
    "timezone": "America/New_York",
    "account_extra": {"login_customer_id": "1112223333"},
}
INTEGRATION_OUT = {
    "id": INTEGRATION,
    "org_id": ORG,
    "platform": "google",
    "account_id": "123-456-7890",
    "account_name": "Main Ads",
    "currency": "USD",
    "timezone": "America/New_York",
    "account_extra": {"login_customer_id": "1112223333"},
    "status": "active",
    "status_reason": None,
    "token_expires_at": "2024-02-15T00:00:00Z",
    "refreshable": True,
    "last_synced_at": None,
    "created_at": TIME,
    "attribution": {
        "window_days": 14,
        "description": "conversions attributed to the click date, up to 14 days later",
    },
}
UPDATE_INTEGRATION = {"account_name": "Main Ads (EU)", "status": "paused"}
KPI_IN = {"name": "ROI", "metric": "roi", "target": 300, "higher_is_better": True}
KPI_OUT = {"id": "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", **KPI_IN, "created_at": TIME}
CONTENT_IN = {
    "content": "Our summer sale starts today!",
    "platforms": ["facebook", "instagram"],
    "scheduled_for": "2024-01-16T10:00:00Z",
    "status": "scheduled",
}
CONTENT_OUT = {
    "id": "2e3f4051-6b7c-4d8e-9fa0-b1c2d3e4f506",
    **CONTENT_IN,
    "created_at": TIME,
    "targets": [
        {"platform": "facebook", "integration_id": INTEGRATION, "account_id": "104857600123"},
        {"platform": "instagram", "integration_id": INTEGRATION, "account_id": "17841400008"},
    ],
}

CAMPAIGN = "1d2e3f40-5a6b-4c7d-8e9f-a0b1c2d3e4f5"
ALERT = "40516273-8d9e-4fa0-b1c2-d3e4f5061728"
FRESHNESS = {
    "last_synced_at": "2024-01-15T13:30:00Z",
    "timezone": "America/New_York",
    "last_day": "2024-01-15",
    "last_day_partial": True,
    "partial_reason": "today",
    "revisable_from": "2024-01-02",
}
FIGURES = {
    "spend": 7500,
    "impressions": 50000,
    "clicks": 2500,
    "conversions": 120,
    "conversion_value": 26250,
    "ctr": 5.0,
    "cpc": 3.0,
}
CAMPAIGN_OUT = {
    "id": CAMPAIGN,
    "integration_id": INTEGRATION,
    "external_id": "987654321",
    "name": "Summer Campaign",
    "platform": "google",
    "status": "active",
    "currency": "USD",
    "budget": 10000,
    "budget_period": "lifetime",
    "spend_against_budget": 7500,
    "budget_used_pct": 75,
    "from": "2023-12-17",
    "to": "2024-01-15",
    **FIGURES,
    "converted": {**CONVERTED, "conversion_value": 23979.38},
    "freshness": FRESHNESS,
}
IN_EUR = {"currency": "EUR", "exchange_rates": EXCHANGE_RATES}
CAMPAIGN_PAGE = {
    "items": [CAMPAIGN_OUT],
    "next_cursor": "WyJzcGVuZCIsIjc1MDAiLCIxZDJlIl0",
    **IN_EUR,
}
POINT = {"period_start": "2024-01-15", **FIGURES}
CAMPAIGN_DETAIL = {"campaign": CAMPAIGN_OUT, "daily": [POINT], **IN_EUR}
TIMESERIES = {
    "granularity": "day",
    "from": "2024-01-15",
    "to": "2024-01-15",
    **IN_EUR,
    "currencies": ["USD"],
    "total": [POINT],
    "by_platform": {"google": [POINT]},
    "freshness": FRESHNESS,
    "freshness_by_platform": {"google": FRESHNESS},
}
POST_OUT = {
    **DASHBOARD["recent_posts"][0],  # type: ignore[index]
    "integration_id": INTEGRATION,
    "text": "Our summer sale starts today!",
    "freshness": {**FRESHNESS, "revisable_from": "2023-12-19"},
}
POST_PAGE = {"items": [POST_OUT], "next_cursor": None}
ALERT_OUT = {
    "id": ALERT,
    "type": "budget",
    "severity": "warning",
    "status": "open",
    "message": "Campaign 'Summer' has used 90% of budget",
    "subject_type": "campaign",
    "subject_id": CAMPAIGN,
    "integration_id": INTEGRATION,
    "campaign_id": CAMPAIGN,
    "occurrences": 1,
    "details": {"integration_id": INTEGRATION, "budget_used_pct": 90},
    "first_seen_at": TIME,
    "last_seen_at": TIME,
    "resolved_at": None,
    "acknowledged_at": None,
    "acknowledged_by": None,
    "snoozed_until": None,
}
ALERT_PAGE = {"items": [ALERT_OUT], "next_cursor": None}
ALERT_HISTORY = {
    "items": [
        {"id": 1, "action": "raised", "severity": "warning", "at": TIME, "details": {}},
        {
            "id": 2,
            "action": "snoozed",
            "severity": "warning",
            "at": "2024-01-15T15:00:00Z",
            "details": {"by": "ana@example.com", "snoozed_until": "2024-01-16T09:00:00Z"},
        },
    ],
    "next_cursor": None,
}
SNOOZE = {"until": "2024-01-16T09:00:00Z"}
ALERT_COMMAND = {
    "alert_id": ALERT,
    "action": "snooze",
    "snoozed_until": "2024-01-16T09:00:00Z",
    "command_id": "6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e",
}
SIGN_IN = {"email": "ana@example.com", "password": "correct horse battery staple"}
SIGNED_IN = {
    "token": "cmis_Jm8Qn2vX4tY7wZ1aB3cD5eF6gH8iJ0kL2mN4oP6qR8s",
    "token_type": "bearer",
    "expires_at": "2024-01-16T02:30:00Z",
}
ME = {
    "user": {
        "id": "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
        "email": "ana@example.com",
        "name": "Ana",
    },
    "organizations": [{**ORGS["organizations"][0], "role": "admin"}],
}
STREAM_TICKET = {
    "ticket": "lt_3q2Xb7Yc9Zd1Ae4Bf6Cg8Dh0Ei2Fj",
    "expires_in": 30,
    "url": f"/api/orgs/{ORG}/events?ticket=lt_3q2Xb7Yc9Zd1Ae4Bf6Cg8Dh0Ei2Fj",
}
USER = "7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e"
MEMBER_IN = {"email": "maria@example.com", "role": "member"}
MEMBER = {"user_id": USER, "email": "maria@example.com", "name": "Maria", "role": "member"}
SETTINGS_PATCH = {
    "timezone": "Europe/Berlin",
    "currency": "EUR",
    "alerts": {"budget_warning_pct": 80, "token_warning_days": 14},
    "schedules": {"metrics_seconds": 1800, "all_at": "03:30"},
    "manual_triggers": {"limit": 10, "window_seconds": 60},
}
_SETTINGS_DEFAULTS = {
    "timezone": "UTC",
    "currency": "USD",
    "alerts": {
        "budget_warning_pct": 90,
        "budget_critical_pct": 100,
        "token_warning_days": 7,
        "token_critical_hours": 24,
    },
    "schedules": {
        "metrics_seconds": 3600,
        "campaigns_seconds": 14400,
        "all_seconds": 86400,
        "all_at": "02:00",
    },
    "manual_triggers": {"limit": 30, "window_seconds": 60},
}
SETTINGS = {
    "timezone": "Europe/Berlin",
    "currency": "EUR",
    "alerts": {
        "budget_warning_pct": 80,
        "budget_critical_pct": 100,
        "token_warning_days": 14,
        "token_critical_hours": 24,
    },
    "schedules": {
        "metrics_seconds": 1800,
        "campaigns_seconds": 14400,
        "all_seconds": 86400,
        "all_at": "03:30",
    },
    "manual_triggers": {"limit": 10, "window_seconds": 60},
    "defaults": _SETTINGS_DEFAULTS,
    "overridden": [
        "timezone",
        "currency",
        "alerts.budget_warning_pct",
        "alerts.token_warning_days",
        "schedules.metrics_seconds",
        "schedules.all_at",
        "manual_triggers.limit",
        "manual_triggers.window_seconds",
    ],
}
AUDIT_PAGE = {
    "entries": [
        {
            "id": "8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e1f",
            "at": TIME,
            "actor_user_id": USER,
            "actor_email": "maria@example.com",
            "action": "settings.changed",
            "target_type": "organization",
            "target_id": ORG,
            "before": {"timezone": "UTC", "alerts.budget_warning_pct": None},
            "after": {"timezone": "Europe/Berlin", "alerts.budget_warning_pct": 80},
        }
    ],
    "next_cursor": "8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e1f",
}
PENDING_GRANT = "7c1d9e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
OAUTH_START = {"return_url": "https://app.example.com/integrations/connected"}
OAUTH_AUTHORIZATION = {
    "authorization_url": "https://accounts.google.com/o/oauth2/v2/auth?client_id=…&state=v1.…"
    "&code_challenge=…&code_challenge_method=S256",
    "expires_at": "2024-01-15T14:40:00Z",
}
OAUTH_PENDING = {
    "id": PENDING_GRANT,
    "platform": "google",
    "expires_at": "2024-01-15T15:00:00Z",
    "accounts": [
        {
            "account_id": "1112223333",
            "name": "Agency (manager)",
            "kind": "manager",
            "currency": "USD",
            "timezone": "America/New_York",
            "manager_id": None,
            "connectable": False,
            "extra": {},
        },
        {
            "account_id": "1234567890",
            "name": "Client A",
            "kind": "ad_account",
            "currency": "EUR",
            "timezone": "Europe/Berlin",
            "manager_id": "1112223333",
            "connectable": True,
            "extra": {"login_customer_id": "1112223333"},
        },
    ],
}
OAUTH_CONNECT = {"account_ids": ["1234567890"]}
OAUTH_CONNECTED = {"integrations": [INTEGRATION_OUT]}
BACKFILL_REQUEST = {
    "since": "2025-01-01",
    "until": "2025-12-31",
    "integration_ids": [INTEGRATION],
    "data_types": ["metrics"],
}
BACKFILL = {
    "id": "5e1c9a3b-7d2f-4b80-9c6e-1a4f8d2b7e35",
    "status": "running",
    "since": "2025-01-01",
    "until": "2025-12-31",
    "integration_ids": [INTEGRATION],
    "data_types": ["metrics"],
    "only_gaps": False,
    "requested_by": "ana@example.com",
    "requested_at": "2026-01-15T14:30:00Z",
    "finished_at": None,
    "windows_total": 12,
    "windows_done": 5,
    "windows_failed": 0,
    "windows_cancelled": 0,
    "windows_pending": 7,
    "rows_stored": 4650,
}
GAPS = {
    "integrations": [
        {
            "integration_id": INTEGRATION,
            "platform": "google",
            "since": "2023-10-18",
            "until": "2024-01-15",
            "missing_days": 9,
            "gaps": [
                {"start": "2023-10-18", "end": "2023-10-24", "days": 7},
                {"start": "2023-12-25", "end": "2023-12-26", "days": 2},
            ],
        }
    ]
}
