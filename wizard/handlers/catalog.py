"""The other event handlers Kapacitor has, as data: options as Kapacitor spells them, kinds,
defaults, what enabling needs, and the steps with links to where each key or URL is made.

They share the generic form step; what Kapacitor's own service test proves for each is
said by `test_proves` (several report success without delivering anything).

Options are in the order of Kapacitor's Go config structs; defaults are what a fresh
Kapacitor 1.8.3 answers on GET /kapacitor/v1/config/<section> (a list option never set is
`None`, as Kapacitor shows `null`).
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from wizard.text import checks as v
from wizard.handlers.model import HandlerSpec, Link, OptionSpec, StepText

DOCS = "https://docs.influxdata.com/kapacitor/v1/reference/event_handlers/"


def _guide(name: str) -> str:
    return f"{DOCS}{name}/"


def _enabled() -> OptionSpec:
    return OptionSpec("enabled", "Enabled", bool, default=False)


def _global(what: str) -> OptionSpec:
    return OptionSpec(
        "global", "Send every alert (global)", bool, default=False,
        help=f"Every alert of this Kapacitor goes to {what}, not only those of rules that name it in TICKscript.",
    )


def _state_changes_only() -> OptionSpec:
    return OptionSpec(
        "state-changes-only", "Only state changes", bool, default=False,
        help="With global on: skip alerts whose level did not change (CRITICAL, CRITICAL, …).",
    )


def _insecure() -> OptionSpec:
    return OptionSpec(
        "insecure-skip-verify", "Skip TLS verification", bool, default=False,
        help="Kapacitor accepts any certificate from the server. Only for tests: anyone on the path can read alerts.",
    )


def _tls_files() -> tuple[OptionSpec, ...]:
    return (
        OptionSpec("ssl-ca", "TLS CA file", validate=v.absolute_path, placeholder="/etc/ssl/certs/ca.pem",
                   help="A CA certificate file on the Kapacitor host, to check the server's certificate."),
        OptionSpec("ssl-cert", "TLS client certificate file", validate=v.absolute_path,
                   help="A client certificate file on the Kapacitor host, for servers that ask for one."),
        OptionSpec("ssl-key", "TLS client key file", validate=v.absolute_path,
                   help="The client certificate's key file on the Kapacitor host."),
    )


def _which_alerts_step(service: str, call: str, *, state_changes: bool = True, more: tuple[str, ...] = (),
                       more_text: str = "") -> StepText:
    """The advanced step: global and state-changes-only, and `more` options explained by `more_text`."""
    options = ("global", "state-changes-only") if state_changes else ("global",)
    return StepText(
        id="which",
        title="Which alerts (advanced)",
        body=(
            f"Usually alert rules choose {service} with `{call}` in TICKscript. Leave this unticked for that.\n\n"
            f"**Global** sends *every* alert of this Kapacitor to {service}."
            + (" **Only state changes** then skips alerts whose level did not change." if state_changes else "")
            + (f"\n\n{more_text}" if more_text else "")
        ),
        options=options + more,
    )


def _quote(text: Any) -> str:
    return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"


# -- Alerta --------------------------------------------------------------------------

def _alerta_tickscript(values: Mapping[str, Any]) -> str:
    return ".alerta()\n.resource('{{ .Name }}')\n.event('{{ .ID }}')"


ALERTA = HandlerSpec(
    name="alerta",
    title="Alerta",
    section="alerta",
    summary="Raise alerts in Alerta, the open-source alert console, through its REST API.",
    service_test="alerta",
    guide_url=_guide("alerta"),
    options=(
        _enabled(),
        OptionSpec("url", "Alerta API URL", required=True, validate=v.alerta_url, placeholder="https://alerta.example.com/api",
                   help="The base of Alerta's API; Kapacitor posts each alert to <url>/alert."),
        _insecure(),
        OptionSpec("token", "API key", secret=True, validate=v.api_key, placeholder="the key from Alerta's API Keys page",
                   help="Sent as `Authorization: <prefix> <key>`. Needed when Alerta requires authentication "
                        "(AUTH_REQUIRED); alert rules can use another one with .token()."),
        OptionSpec("token-prefix", "Authorization prefix", placeholder="Bearer (empty) or Key",
                   help="The word before the key in the Authorization header; empty means Bearer. Set Key when Alerta "
                        "answers 401 with a valid API key."),
        OptionSpec("environment", "Environment", placeholder="Production",
                   help="Alerta's environment for alerts whose rule names none; Alerta refuses environments it does not allow."),
        OptionSpec("origin", "Origin", placeholder="kapacitor", help="Where Alerta says the alert came from."),
        OptionSpec("timeout", "Alert timeout", default="0s", validate=v.timeout, placeholder="24h (0s: Alerta's default)",
                   help="How long Alerta keeps an alert open without news, as a Go duration (24h, 90m)."),
    ),
    steps=(
        StepText(
            id="api",
            title="Alerta's address and API key",
            body=(
                "1. Open Alerta's web console and sign in.\n"
                "2. Under **Configuration → API Keys**, create a key with the **write:alerts** scope.\n"
                "3. Copy the key and paste it here.\n"
                "4. Enter the API address: usually the console's address with `/api` "
                "(`https://alerta.example.com/api`).\n\n"
                "Kapacitor posts each alert to `<url>/alert`."
            ),
            options=("url", "token", "token-prefix"),
            links=(
                Link("Alerta: API keys", "https://docs.alerta.io/api/reference.html#api-keys"),
                Link("Alerta: authentication", "https://docs.alerta.io/authentication.html"),
                Link("Kapacitor's Alerta handler", _guide("alerta")),
            ),
            help="Kapacitor sends `Authorization: <prefix> <key>`, with Bearer when the prefix is empty. "
                 "Alerta servers that expect an API key as `Key <key>` answer 401 to Bearer: then set the prefix to Key.\n\n"
                 "Kapacitor counts only HTTP 201 (alert created) as success.",
        ),
        StepText(
            id="defaults",
            title="Environment and origin (optional)",
            body="Defaults for alerts whose rule does not say: the **environment** (Production, Development) "
                 "and the **origin** Alerta shows.",
            options=("environment", "origin", "timeout", "insecure-skip-verify"),
        ),
    ),
    tickscript=_alerta_tickscript,
    test_hint="Check the API address (it ends in /api for the standard web install), that the key has the "
              "write:alerts scope and the right prefix (Key for API keys), and that the environment is one Alerta allows. "
              "Kapacitor counts only HTTP 201 as success.",
)


# -- BigPanda ------------------------------------------------------------------------

BIGPANDA = HandlerSpec(
    name="bigpanda",
    title="BigPanda",
    section="bigpanda",
    summary="Send alerts to BigPanda through an Alerts REST API integration (Kapacitor 1.7+).",
    service_test="bigpanda",
    guide_url=_guide("bigpanda"),
    options=(
        _enabled(),
        _global("BigPanda"),
        OptionSpec("app-key", "App key", secret=True, required=True, validate=v.api_key,
                   placeholder="the integration's app key",
                   help="Names the integration the alerts belong to; Kapacitor sends it in each alert's body. "
                        "Kapacitor shows it in clear; the wizard keeps it masked."),
        OptionSpec("token", "Authorization token", secret=True, required=True, validate=v.api_key,
                   placeholder="the organization's bearer token",
                   help="Sent as `Authorization: Bearer <token>`. Anyone who holds it can post alerts to your BigPanda."),
        _state_changes_only(),
        _insecure(),
        OptionSpec("url", "Alerts API URL", default="https://api.bigpanda.io/data/v2/alerts", required=True,
                   validate=v.api_url_with_key, help="BigPanda's Alerts API; change it only for a proxy or a regional endpoint."),
        OptionSpec("auto-attributes", "Attributes sent", default="tags,fields",
                   help="Which alert data Kapacitor adds to each alert as attributes: tags, fields, both or neither."),
    ),
    steps=(
        StepText(
            id="integration",
            title="Create an Alerts REST API integration",
            body=(
                "1. In BigPanda, open **Integrations** and click **New Integration**.\n"
                "2. Choose **Alerts REST API** and give it a name, for example *Kapacitor*.\n"
                "3. Click **Generate App Key**, then copy the **App key** and paste it here.\n"
                "4. Copy the **Bearer token** shown in the instructions (the organization's token) and paste it here."
            ),
            options=("app-key", "token"),
            links=(
                Link("BigPanda: Alerts REST API", "https://docs.bigpanda.io/docs/rest-api-integration"),
                Link("Kapacitor's BigPanda handler", _guide("bigpanda")),
            ),
            help="Kapacitor's own test sends the app key 012345, not yours, unless told otherwise; the wizard's "
                 "test sends the configured one.",
        ),
        StepText(
            id="which",
            title="Which alerts (advanced)",
            body="Usually alert rules choose BigPanda with `.bigPanda()`. **Global** sends every alert here; "
                 "**Only state changes** then skips repeats. **Attributes sent** chooses tags, fields or both. "
                 "Keep the API URL unless you go through a proxy.",
            options=("global", "state-changes-only", "auto-attributes", "url", "insecure-skip-verify"),
        ),
    ),
    tickscript=lambda values: ".bigPanda()",
    test_hint="Check the app key and the token (BigPanda answers 401 for a wrong token), and that the Kapacitor host "
              "can reach api.bigpanda.io. Kapacitor counts only HTTP 201 as success.",
)


# -- Discord -------------------------------------------------------------------------

def _discord_tickscript(values: Mapping[str, Any]) -> str:
    workspace = values.get("workspace") or ""
    return f".discord()\n.workspace({_quote(workspace)})" if workspace else ".discord()"


DISCORD = HandlerSpec(
    name="discord",
    title="Discord",
    section="discord",
    summary="Post alerts into a Discord channel through a channel webhook.",
    service_test="discord",
    list_key="workspace",
    guide_url=_guide("discord"),
    options=(
        _enabled(),
        OptionSpec("default", "Default workspace", bool, default=True,
                   help="Rules that name no workspace use the default one; with several workspaces, at least one "
                        "is the default, and only the default one may be global."),
        OptionSpec("workspace", "Workspace", default="",
                   help="The name alert rules use: .discord().workspace('name'); the default workspace has none."),
        OptionSpec("url", "Webhook URL", secret=True, required=True, validate=v.webhook_url,
                   placeholder="https://discord.com/api/webhooks/…/…",
                   help="Kapacitor posts alerts to this Discord webhook. The URL holds the webhook's token: anyone "
                        "who has it can post into the channel. Kapacitor shows it in clear; the wizard keeps it masked."),
        OptionSpec("timestamp", "Show the time", bool, default=False, help="Each alert shows when it happened."),
        OptionSpec("username", "Post as (username)", placeholder="Kapacitor",
                   help="The name alerts are posted under; empty: the webhook's own name."),
        OptionSpec("avatar-url", "Avatar image URL", validate=v.optional_http_url,
                   help="The picture alerts are posted with; empty: the webhook's own."),
        OptionSpec("embed-title", "Alert title", placeholder="Kapacitor Alert", help="The title above each alert."),
        _global("this Discord channel"),
        _state_changes_only(),
        *_tls_files(),
        _insecure(),
    ),
    steps=(
        StepText(
            id="webhook",
            title="Create a webhook in Discord",
            body=(
                "1. In Discord, open the server's **Server Settings → Integrations** (you need *Manage Webhooks*).\n"
                "2. Click **Webhooks**, then **New Webhook**.\n"
                "3. Choose the channel alerts go to and give the webhook a name.\n"
                "4. Click **Copy Webhook URL** and paste it here."
            ),
            options=("url",),
            links=(
                Link("Discord: intro to webhooks", "https://support.discord.com/hc/en-us/articles/228383668-Intro-to-Webhooks"),
                Link("Kapacitor's Discord handler", _guide("discord")),
            ),
            help="The webhook URL is a secret: it holds the webhook's token. Kapacitor shows it in clear when "
                 "asked; the wizard masks it everywhere, in reviews, undo records and errors too.",
        ),
        StepText(
            id="look",
            title="How alerts look (optional)",
            body="The name, picture and title alerts are posted with, and whether each shows its time.",
            options=("username", "avatar-url", "embed-title", "timestamp"),
        ),
        StepText(
            id="tls",
            title="TLS (advanced)",
            body="Only for a proxy or gateway in front of Discord that needs its own CA or a client certificate.",
            options=("ssl-ca", "ssl-cert", "ssl-key", "insecure-skip-verify"),
        ),
        StepText(
            id="which",
            title="Which alerts (advanced)",
            body=(
                "Usually alert rules choose Discord with `.discord()`. Leave this unticked for that.\n\n"
                "**Global** sends *every* alert of this Kapacitor to the channel; Kapacitor allows it only on the "
                "default workspace. **Only state changes** then skips alerts whose level did not change."
            ),
            options=("global", "state-changes-only"),
        ),
    ),
    tickscript=_discord_tickscript,
    test_hint="Check that the webhook still exists (Discord answers 404 Unknown Webhook for a deleted one) and that "
              "the Kapacitor host can reach discord.com. Kapacitor counts only HTTP 204 as success.",
)


# -- HTTP post -----------------------------------------------------------------------

def _post_tickscript(values: Mapping[str, Any]) -> str:
    endpoint = values.get("endpoint") or "example"
    return f".post()\n.endpoint({_quote(endpoint)})"


HTTPPOST = HandlerSpec(
    name="httppost",
    title="HTTP POST",
    section="httppost",
    summary="POST alerts as JSON to any web address (an endpoint that alert rules name).",
    service_test="httppost",
    list_key="endpoint",
    guide_url=_guide("post"),
    topic_kind="post",
    # A post topic handler's url is a whole address of its own, set per route, where people
    # put a token (a webhook, an API key in the path or query); Kapacitor lists it in clear.
    topic_secrets=frozenset({"url"}),
    options=(
        OptionSpec("endpoint", "Endpoint name", default="example", validate=partial(v.element_key, noun="endpoint"),
                   help="The name alert rules use: .post().endpoint('name')."),
        OptionSpec("url", "URL", default="http://example.com", required=True, validate=v.url_template,
                   placeholder="https://hooks.example.com/kapacitor",
                   help="Where Kapacitor posts each alert of the rules that name this endpoint. It may be a Go "
                        "template filled per alert, such as https://x.example.com/{{.ID}}."),
        OptionSpec("headers", "Extra headers", dict, secret=True, default=None, validate=v.http_headers,
                   placeholder="Authorization=Bearer …, X-Team=ops",
                   help="Headers Kapacitor adds to each post, as Name=value pairs. They often carry a token, so "
                        "the wizard keeps them masked (Kapacitor shows them in clear)."),
        OptionSpec("basic-auth", "Basic authentication", dict, secret=True, default=None, validate=v.basic_auth,
                   placeholder="username=kapacitor, password=…",
                   help="A user name and password Kapacitor sends with each post; Kapacitor needs both."),
        OptionSpec("alert-template", "Alert body template", validate=v.alert_template, placeholder="{{.Message}}",
                   help="A Go template for the body of each alert; empty: Kapacitor's JSON alert data."),
        OptionSpec("alert-template-file", "Alert body template file", validate=v.absolute_path,
                   help="An absolute path on the Kapacitor host; use the template or the file, not both."),
        OptionSpec("row-template", "Row body template", validate=v.row_template,
                   help="A Go template for the body when a rule posts data rows (httpPost node)."),
        OptionSpec("row-template-file", "Row body template file", validate=v.absolute_path,
                   help="An absolute path on the Kapacitor host; use the template or the file, not both."),
    ),
    steps=(
        StepText(
            id="endpoint",
            title="Where alerts are posted",
            body=(
                "1. Give the endpoint a **name**; alert rules use it: `.post().endpoint('name')`.\n"
                "2. Enter the **URL** that should receive each alert as a JSON POST.\n"
                "3. If the receiver needs a token, add it as a header (`Authorization=Bearer …`) or as "
                "basic authentication (`username=…, password=…`)."
            ),
            options=("url", "headers", "basic-auth"),
            links=(
                Link("Kapacitor's HTTP post handler", _guide("post")),
                Link("Kapacitor: alert data posted", "https://docs.influxdata.com/kapacitor/v1/working/alerts/"),
            ),
            help="Kapacitor's own test does not use this endpoint: it posts a sample alert to the test's own address "
                 "without these headers, and any HTTP answer counts as success. The wizard offers a direct POST "
                 "to the configured URL instead.",
        ),
        StepText(
            id="templates",
            title="Body templates (optional)",
            body="By default Kapacitor posts its JSON alert data. A **template** (Go text/template syntax) makes "
                 "another body; give a template or a file, not both.",
            options=("alert-template", "alert-template-file", "row-template", "row-template-file"),
            links=(Link("Go: text/template", "https://pkg.go.dev/text/template"),),
        ),
    ),
    tickscript=_post_tickscript,
    test_proves="Kapacitor posted a sample alert to the test's own address (http://localhost:3000/ unless given "
                "another), not to this endpoint's URL, without its headers or basic authentication, and counts any "
                "HTTP answer (404 and 500 too) as success. Only a refused connection fails.",
    direct_check="http-post",
    test_hint="Check that the URL is reachable from the Kapacitor host and what the receiver answered; a template "
              "that does not parse makes Kapacitor refuse the whole change.",
)


# -- Kafka ---------------------------------------------------------------------------

KAFKA_SASL_DEFAULT: dict[str, Any] = {
    "SASLUsername": "", "SASLPassword": "", "SASLExtensions": None, "SASLMechanism": "", "SASLVersion": None,
    "SASLGSSAPIServiceName": "", "SASLGSSAPIAuthType": "", "SASLGSSAPIDisablePAFXFAST": False,
    "SASLGSSAPIKerberosConfigPath": "", "SASLGSSAPIKeyTabPath": "", "SASLGSSAPIRealm": "", "SASLOAUTHService": "",
    "SASLOAUTHClientID": "", "SASLOAUTHClientSecret": "", "SASLOAUTHTokenURL": "", "SASLOAUTHScopes": None,
    "SASLOAUTHParams": None, "SASLOAUTHExpiryMargin": 10_000_000_000, "SASLAccessToken": "", "SASLOAUTHTenant": "",
}
"""SASLAuth as a fresh Kapacitor 1.8.3 shows it (the expiry margin in nanoseconds: 10s)."""


def _kafka_tickscript(values: Mapping[str, Any]) -> str:
    cluster = values.get("id") or "default"
    return f".kafka()\n.cluster({_quote(cluster)})\n.kafkaTopic('alerts')"


KAFKA = HandlerSpec(
    name="kafka",
    title="Kafka",
    section="kafka",
    summary="Write alerts to a Kafka topic (a cluster that alert rules name).",
    service_test="kafka",
    list_key="id",
    guide_url=_guide("kafka"),
    options=(
        _enabled(),
        OptionSpec("id", "Cluster name", default="default", validate=partial(v.element_key, noun="cluster"),
                   help="The name alert rules use: .kafka().cluster('name')."),
        OptionSpec("brokers", "Brokers", list, default=None, required=True, validate=v.kafka_brokers,
                   placeholder="kafka1:9092, kafka2:9092",
                   help="Kafka brokers as host:port, separated by commas; the client learns the rest of the cluster from them."),
        OptionSpec("timeout", "Write timeout", default="0s", validate=v.timeout, placeholder="10s (0s: the default)",
                   help="How long a write may take, as a Go duration."),
        OptionSpec("batch-size", "Batch size", int, default=0, validate=v.batch_size,
                   help="Alerts collected before a write (0: the client's default)."),
        OptionSpec("batch-timeout", "Batch timeout", default="0s", validate=v.batch_timeout,
                   help="Longest wait before a partly full batch is written, as a Go duration (1s)."),
        OptionSpec("use-ssl", "Use TLS", bool, default=False, help="Connect to the brokers with TLS."),
        *_tls_files(),
        _insecure(),
        OptionSpec("SASLAuth", "SASL authentication", dict, secret=True, default=KAFKA_SASL_DEFAULT,
                   validate=v.kafka_sasl, placeholder="SASLMechanism=PLAIN, SASLUsername=kapacitor, SASLPassword=…",
                   help="Kapacitor 1.8's SASL settings: one object with Go's field names (SASLUsername, SASLPassword, "
                        "SASLMechanism PLAIN/SCRAM-SHA-256/SCRAM-SHA-512/GSSAPI/OAUTHBEARER, SASLOAUTHClientID, …). "
                        "The documented names such as sasl-username are unknown to Kapacitor's API. Saving replaces the "
                        "whole object. It holds passwords that Kapacitor shows in clear; the wizard keeps it masked."),
    ),
    steps=(
        StepText(
            id="brokers",
            title="The Kafka cluster",
            body=(
                "1. Give the cluster a **name**; alert rules use it: `.kafka().cluster('name').kafkaTopic('alerts')`.\n"
                "2. List one or more **brokers** as `host:port` (ask your Kafka administrator; 9092 is Kafka's usual port).\n"
                "3. Make sure the alert topic exists, or that the cluster creates topics on first write."
            ),
            options=("brokers", "timeout", "batch-size", "batch-timeout"),
            links=(
                Link("Kafka: quickstart (brokers and topics)", "https://kafka.apache.org/quickstart"),
                Link("Kapacitor's Kafka handler", _guide("kafka")),
            ),
        ),
        StepText(
            id="security",
            title="TLS and SASL (if the cluster needs them)",
            body=(
                "Tick **Use TLS** for brokers that speak TLS and give CA and client files on the Kapacitor host.\n\n"
                "For SASL (Kapacitor 1.8 and later; older versions have no SASL option), type the settings "
                "as `Name=value` pairs with Kapacitor's Go names, for example "
                "`SASLMechanism=SCRAM-SHA-512, SASLUsername=kapacitor, SASLPassword=…`."
            ),
            options=("use-ssl", "ssl-ca", "ssl-cert", "ssl-key", "insecure-skip-verify", "SASLAuth"),
            links=(Link("Kafka: SASL authentication", "https://kafka.apache.org/documentation/#security_sasl"),),
            help="SASLOAUTHExpiryMargin is a duration such as 10s: a plain number is refused, because Kapacitor "
                 "stores it and then fails on every config read and refuses to start.",
        ),
    ),
    tickscript=_kafka_tickscript,
    test_proves="Kapacitor created its Kafka writer for the cluster and handed it the message; it does not wait for "
                "a broker, so success says nothing about delivery. A broker that cannot be reached shows only in "
                "Kapacitor's log (\"kafka client error\").",
    test_hint="Check that the element is enabled (a disabled cluster is unknown to the test), the broker addresses, "
              "TLS and SASL settings, and Kapacitor's log for kafka client errors.",
)


# -- MQTT ----------------------------------------------------------------------------

def _mqtt_tickscript(values: Mapping[str, Any]) -> str:
    name = values.get("name") or "default"
    return f".mqtt('alerts/kapacitor')\n.brokerName({_quote(name)})"


MQTT = HandlerSpec(
    name="mqtt",
    title="MQTT",
    section="mqtt",
    summary="Publish alerts to an MQTT broker topic.",
    service_test="mqtt",
    list_key="name",
    guide_url=_guide("mqtt"),
    options=(
        _enabled(),
        OptionSpec("name", "Broker name", default="default", validate=partial(v.element_key, noun="broker"),
                   help="The name alert rules use: .mqtt('topic').brokerName('name')."),
        OptionSpec("default", "Default broker", bool, default=False,
                   help="Rules that name no broker use the default one; with several brokers, exactly one is the default."),
        OptionSpec("url", "Broker URL", required=True, validate=v.mqtt_url, placeholder="tcp://broker.example.com:1883",
                   help="tcp:// (1883) or ssl:// (8883), or ws:// for MQTT over websockets. Kapacitor connects as "
                        "soon as the change is saved and refuses it when the broker cannot be reached."),
        *_tls_files(),
        _insecure(),
        OptionSpec("client-id", "Client id", placeholder="kapacitor (empty: the broker name)",
                   help="The id Kapacitor connects with; two clients with the same id push each other off the broker."),
        OptionSpec("username", "User name", validate=v.basic_auth_user,
                   help="Sent to the broker when Kapacitor connects; empty for a broker without logins."),
        OptionSpec("password", "Password", secret=True, validate=v.any_text,
                   help="Sent to the broker when connecting; it travels in clear unless the URL is ssl:// or wss://."),
    ),
    steps=(
        StepText(
            id="broker",
            title="The MQTT broker",
            body=(
                "1. Enter the broker's **URL**: `tcp://host:1883`, or `ssl://host:8883` for TLS.\n"
                "2. Give the user name and password the broker expects (Mosquitto: `mosquitto_passwd`).\n"
                "3. Alert rules publish with `.mqtt('topic').brokerName('name')`.\n\n"
                "Kapacitor connects to the broker when the change is saved: an unreachable broker or a refused "
                "login makes Kapacitor refuse the change."
            ),
            options=("url", "username", "password", "client-id"),
            links=(
                Link("Mosquitto: authentication", "https://mosquitto.org/documentation/authentication-methods/"),
                Link("HiveMQ: MQTT essentials", "https://www.hivemq.com/mqtt/"),
                Link("Kapacitor's MQTT handler", _guide("mqtt")),
            ),
        ),
        StepText(
            id="tls",
            title="TLS (optional)",
            body="For ssl:// brokers: the CA file that signed the broker's certificate, and a client certificate if the broker asks.",
            options=("ssl-ca", "ssl-cert", "ssl-key", "insecure-skip-verify"),
        ),
    ),
    tickscript=_mqtt_tickscript,
    test_hint="Check the broker URL and port, the login, and that the topic is one the user may publish to. "
              "A QoS 1 test waits for the broker's acknowledgement and never returns without it.",
)


# -- OpsGenie ------------------------------------------------------------------------

OPSGENIE_KEY_STEP_BODY = (
    "1. In Opsgenie, open **Settings → Integrations** (or a team's **Integrations** tab).\n"
    "2. Click **Add integration** and choose **API**.\n"
    "3. Give it a name, keep **Create and Update Access** ticked, and save.\n"
    "4. Copy the **API Key** and paste it here.\n"
)

OPSGENIE = HandlerSpec(
    name="opsgenie",
    title="OpsGenie (API v1)",
    section="opsgenie",
    summary="Create OpsGenie alerts through its old v1 API (retired; prefer OpsGenie v2).",
    service_test="opsgenie",
    guide_url=_guide("opsgenie/v1"),
    options=(
        _enabled(),
        OptionSpec("api-key", "API key", secret=True, required=True, validate=v.opsgenie_key,
                   help="An Opsgenie API integration's key; Kapacitor sends it in each alert's body."),
        OptionSpec("teams", "Teams", list, default=None, validate=v.name_list, placeholder="ops, db",
                   help="Teams the alert is for, separated by commas; rules can name others with .teams()."),
        OptionSpec("recipients", "Recipients", list, default=None, validate=v.name_list,
                   placeholder="alice@example.com, oncall", help="People or schedules, separated by commas."),
        OptionSpec("url", "Alert API URL", default="https://api.opsgenie.com/v1/json/alert", validate=v.api_url_with_key,
                   help="Where Kapacitor posts new alerts (it adds a '/'); change it only for a proxy."),
        OptionSpec("recovery_url", "Recovery API URL", default="https://api.opsgenie.com/v1/json/alert/note",
                   validate=v.api_url_with_key, help="Where Kapacitor posts when an alert recovers (a note on the alert)."),
        _global("OpsGenie"),
    ),
    steps=(
        StepText(
            id="key",
            title="Create an API integration",
            body=OPSGENIE_KEY_STEP_BODY + "\nOpsgenie retired its v1 API: use **OpsGenie v2** unless your Opsgenie still answers v1.",
            options=("api-key", "teams", "recipients"),
            links=(
                Link("Opsgenie: API integration", "https://support.atlassian.com/opsgenie/docs/create-a-default-api-integration/"),
                Link("Kapacitor's OpsGenie v1 handler", _guide("opsgenie/v1")),
            ),
        ),
        _which_alerts_step("OpsGenie", ".opsGenie()", state_changes=False, more=("url", "recovery_url"),
                           more_text="Keep the API addresses unless you go through a proxy."),
    ),
    tickscript=lambda values: ".opsGenie()",
    test_hint="Check the API key (the integration must have Create and Update Access) and that your Opsgenie still "
              "answers the v1 API; the v2 handler is the supported one.",
)

OPSGENIE2 = HandlerSpec(
    name="opsgenie2",
    title="OpsGenie",
    section="opsgenie2",
    summary="Create and close OpsGenie alerts through its v2 Alert API.",
    service_test="opsgenie2",
    guide_url=_guide("opsgenie/v2"),
    options=(
        _enabled(),
        OptionSpec("api-key", "API key", secret=True, required=True, validate=v.opsgenie_key,
                   placeholder="the API integration's key",
                   help="Sent as `Authorization: GenieKey <key>`; anyone who holds it can create alerts."),
        OptionSpec("teams", "Teams", list, default=None, validate=v.name_list, placeholder="ops, db",
                   help="Teams the alert goes to (responders), separated by commas; rules can name others with .teams()."),
        OptionSpec("recipients", "Recipients", list, default=None, validate=v.name_list,
                   placeholder="alice@example.com", help="Users the alert goes to (responders), separated by commas."),
        OptionSpec("url", "Alert API URL", default="https://api.opsgenie.com/v2/alerts", validate=v.api_url_with_key,
                   help="Opsgenie's Alert API; EU accounts use https://api.eu.opsgenie.com/v2/alerts."),
        OptionSpec("recovery_action", "On recovery", default="notes", validate=v.opsgenie_recovery_action,
                   choices=("notes", "close"),
                   help="notes adds a note to the alert when it recovers; close closes it."),
        _global("OpsGenie"),
        OptionSpec("details", "Send alert details", bool, default=False,
                   help="Kapacitor adds the alert's data to the Opsgenie alert's details."),
    ),
    steps=(
        StepText(
            id="key",
            title="Create an API integration",
            body=OPSGENIE_KEY_STEP_BODY + "\nEU accounts: change the API URL to `https://api.eu.opsgenie.com/v2/alerts`.",
            options=("api-key", "url"),
            links=(
                Link("Opsgenie: API integration", "https://support.atlassian.com/opsgenie/docs/create-a-default-api-integration/"),
                Link("Opsgenie: Alert API", "https://docs.opsgenie.com/docs/alert-api"),
                Link("Kapacitor's OpsGenie v2 handler", _guide("opsgenie/v2")),
            ),
        ),
        StepText(
            id="who",
            title="Who is alerted",
            body="Teams and users the alerts go to (empty: the integration's own team), and what happens when an "
                 "alert recovers: **notes** adds a note, **close** closes the Opsgenie alert.",
            options=("teams", "recipients", "recovery_action", "details"),
        ),
        _which_alerts_step("OpsGenie", ".opsGenie2()", state_changes=False),
    ),
    tickscript=lambda values: ".opsGenie2()",
    test_hint="Check the API key (Create and Update Access), the API URL for EU accounts, and the team names. "
              "Kapacitor counts only HTTP 202 as success.",
)


# -- PagerDuty -----------------------------------------------------------------------

PAGERDUTY = HandlerSpec(
    name="pagerduty",
    title="PagerDuty (Events API v1)",
    section="pagerduty",
    summary="Trigger PagerDuty incidents through the old Events API v1 (prefer PagerDuty v2).",
    service_test="pagerduty",
    guide_url=_guide("pagerduty/v1"),
    options=(
        _enabled(),
        OptionSpec("url", "Events API URL", default="https://events.pagerduty.com/generic/2010-04-15/create_event.json",
                   validate=v.api_url_with_key, help="Where Kapacitor posts each event; change it only for a proxy."),
        OptionSpec("service-key", "Integration key", secret=True, required=True, validate=v.pagerduty_key,
                   placeholder="the 32-character integration key",
                   help="The service's Events API v1 integration key, sent with each alert. Kapacitor enables "
                        "PagerDuty without it, but then nothing can be delivered."),
        _global("PagerDuty"),
    ),
    steps=(
        StepText(
            id="key",
            title="Add an Events API v1 integration",
            body=(
                "1. In PagerDuty, open **Services → Service Directory** and choose the service.\n"
                "2. On **Integrations**, click **Add an integration** and choose **Events API V1**.\n"
                "3. Copy the **Integration Key** and paste it here.\n\n"
                "New integrations should use **PagerDuty v2** (Events API v2)."
            ),
            options=("service-key",),
            links=(
                Link("PagerDuty: services and integrations", "https://support.pagerduty.com/main/docs/services-and-integrations"),
                Link("Kapacitor's PagerDuty v1 handler", _guide("pagerduty/v1")),
            ),
        ),
        _which_alerts_step("PagerDuty", ".pagerDuty()", state_changes=False, more=("url",),
                           more_text="Keep the Events API address unless you go through a proxy."),
    ),
    tickscript=lambda values: ".pagerDuty()",
    test_hint="Check the integration key (an Events API v1 key of the service). Kapacitor's PagerDuty v1 service "
              "ignores alerts at level INFO (nothing is sent): test with WARNING or CRITICAL.",
)

PAGERDUTY2 = HandlerSpec(
    name="pagerduty2",
    title="PagerDuty",
    section="pagerduty2",
    summary="Trigger and resolve PagerDuty incidents through the Events API v2.",
    service_test="pagerduty2",
    guide_url=_guide("pagerduty/v2"),
    options=(
        _enabled(),
        OptionSpec("url", "Events API URL", default="https://events.pagerduty.com/v2/enqueue", validate=v.api_url_with_key,
                   help="PagerDuty's Events API v2; EU accounts use https://events.eu.pagerduty.com/v2/enqueue."),
        OptionSpec("routing-key", "Integration (routing) key", secret=True, required=True, validate=v.pagerduty_key,
                   placeholder="the 32-character integration key",
                   help="The Events API v2 integration key of the service, sent as routing_key with each alert. "
                        "Kapacitor enables PagerDuty without it, but then nothing can be delivered; rules can "
                        "name another with .routingKey()."),
        _global("PagerDuty"),
    ),
    steps=(
        StepText(
            id="key",
            title="Add an Events API v2 integration",
            body=(
                "1. In PagerDuty, open **Services → Service Directory** and choose the service alerts should page.\n"
                "2. On its **Integrations** tab, click **Add an integration**.\n"
                "3. Choose **Events API V2** and click **Add**.\n"
                "4. Open the new integration, copy the **Integration Key** (the routing key) and paste it here."
            ),
            options=("routing-key",),
            links=(
                Link("PagerDuty: Events API v2 integration", "https://support.pagerduty.com/main/docs/services-and-integrations#create-a-generic-events-api-integration"),
                Link("PagerDuty: Events API v2", "https://developer.pagerduty.com/docs/events-api-v2/overview/"),
                Link("Kapacitor's PagerDuty v2 handler", _guide("pagerduty/v2")),
            ),
            help="The routing key is a secret: anyone who holds it can trigger incidents on the service. A test "
                 "alert from Kapacitor opens a real incident and may page whoever is on call.",
        ),
        _which_alerts_step("PagerDuty", ".pagerDuty2()", state_changes=False, more=("url",),
                           more_text="Keep the Events API address unless your account is in the EU "
                                     "(https://events.eu.pagerduty.com/v2/enqueue) or you go through a proxy."),
    ),
    tickscript=lambda values: ".pagerDuty2()",
    test_hint="Check the integration key (PagerDuty answers 400 Invalid routing key) and that the Kapacitor host can "
              "reach events.pagerduty.com (events.eu.pagerduty.com for EU accounts).",
)


# -- Pushover ------------------------------------------------------------------------

PUSHOVER = HandlerSpec(
    name="pushover",
    title="Pushover",
    section="pushover",
    summary="Send alerts as Pushover notifications to phones and desktops.",
    service_test="pushover",
    guide_url=_guide("pushover"),
    options=(
        _enabled(),
        OptionSpec("token", "Application API token", secret=True, required=True, validate=v.pushover_key,
                   placeholder="the application's 30-character token",
                   help="The API token of your Pushover application; Kapacitor sends it with each notification."),
        OptionSpec("user-key", "User or group key", secret=True, required=True, validate=v.pushover_key,
                   placeholder="the 30-character user key",
                   help="Who receives the notifications: your user key, or a delivery group's key."),
        OptionSpec("url", "Messages API URL", default="https://api.pushover.net/1/messages.json", validate=v.api_url_with_key,
                   help="Where Kapacitor posts each notification as a form; change it only for a proxy."),
    ),
    steps=(
        StepText(
            id="keys",
            title="User key and application token",
            body=(
                "1. Sign in at pushover.net: **Your User Key** is at the top of the page. Paste it here "
                "(or a delivery group's key to reach several people).\n"
                "2. Under **Your Applications**, click **Create an Application/API Token**.\n"
                "3. Name it *Kapacitor*, accept the terms and click **Create Application**.\n"
                "4. Copy the application's **API Token/Key** and paste it here."
            ),
            options=("user-key", "token", "url"),
            links=(
                Link("Pushover: sign in (user key)", "https://pushover.net/login"),
                Link("Pushover: create an application", "https://pushover.net/apps/build"),
                Link("Kapacitor's Pushover handler", _guide("pushover")),
            ),
            help="Kapacitor shows the user key in clear in its service-test options; the wizard masks it.",
        ),
    ),
    tickscript=lambda values: ".pushover()",
    test_proves="Pushover's API answered HTTP 200; Kapacitor does not read the answer, so it did not check that the "
                "notification was accepted for a device.",
    direct_check="http-post",
    test_hint="Check the application token and the user key (Pushover answers 400 with the reason), and that the "
              "user has a device registered.",
)


# -- Sensu ---------------------------------------------------------------------------

SENSU = HandlerSpec(
    name="sensu",
    title="Sensu",
    section="sensu",
    summary="Send alerts as check results to a Sensu client socket.",
    service_test="sensu",
    guide_url=_guide("sensu"),
    options=(
        _enabled(),
        OptionSpec("addr", "Client socket address", required=True, validate=v.sensu_addr, placeholder="sensu-client:3030",
                   help="The Sensu client's TCP socket as host:port (3030 by default). Kapacitor accepts an address "
                        "without a port and fails only when it sends, so the wizard asks for the port."),
        OptionSpec("source", "Source", default="Kapacitor", validate=v.sensu_source,
                   help="The name the check results come from in Sensu."),
        OptionSpec("handlers", "Sensu handlers", list, default=None, validate=v.name_list, placeholder="default, slack",
                   help="Sensu handlers for the results, separated by commas; empty: Sensu's default."),
    ),
    steps=(
        StepText(
            id="socket",
            title="The Sensu client socket",
            body=(
                "1. On the host running the Sensu client, check that its **socket** listens on TCP "
                "(`client.socket` in client.json; port 3030 by default).\n"
                "2. Make it reachable from Kapacitor (bind 0.0.0.0 or run Kapacitor beside it).\n"
                "3. Enter its address as `host:port`."
            ),
            options=("addr", "source", "handlers"),
            links=(
                Link("Sensu: the client socket", "https://docs-archive.sensu.io/sensu-core/latest/reference/clients/#client-socket-input"),
                Link("Kapacitor's Sensu handler", _guide("sensu")),
            ),
        ),
    ),
    tickscript=lambda values: ".sensu()",
    test_hint="Check that the Sensu client listens at the address and answers ok; source and check names may only "
              "hold letters, digits, '_', '.' and '-'.",
)


# -- ServiceNow ----------------------------------------------------------------------

SERVICENOW = HandlerSpec(
    name="servicenow",
    title="ServiceNow",
    section="servicenow",
    summary="Send alerts as events to ServiceNow Event Management.",
    service_test="servicenow",
    guide_url=_guide("servicenow"),
    options=(
        _enabled(),
        OptionSpec("url", "Events API URL", default="https://instance.service-now.com/api/global/em/jsonv2",
                   required=True, validate=v.api_url_with_password, placeholder="https://<instance>.service-now.com/api/global/em/jsonv2",
                   help="Your instance's Event Management endpoint. The default is a placeholder: put your instance's name in it."),
        OptionSpec("source", "Source", help="The event source ServiceNow shows; empty: Kapacitor."),
        OptionSpec("username", "User name", validate=v.basic_auth_user,
                   help="A ServiceNow user with the evt_mgmt_integration role; sent with the password as basic authentication."),
        OptionSpec("password", "Password", secret=True, validate=v.any_text,
                   help="Kapacitor sends basic authentication only when both user name and password are set."),
        _global("ServiceNow"),
        _state_changes_only(),
    ),
    steps=(
        StepText(
            id="instance",
            title="Your instance and an integration user",
            body=(
                "1. Make sure **Event Management** is active on your ServiceNow instance.\n"
                "2. Create a user for Kapacitor (**User Administration → Users**) with the **evt_mgmt_integration** role.\n"
                "3. Enter the events URL: `https://<instance>.service-now.com/api/global/em/jsonv2`.\n"
                "4. Enter the user's name and password."
            ),
            options=("url", "username", "password", "source"),
            links=(
                Link("ServiceNow: Event Management web service", "https://docs.servicenow.com/csh?topicname=send-events-via-web-service.html"),
                Link("Kapacitor's ServiceNow handler", _guide("servicenow")),
            ),
            help="Kapacitor enables ServiceNow with the placeholder instance URL; nothing arrives until it names your instance.",
        ),
        _which_alerts_step("ServiceNow", ".serviceNow()"),
    ),
    tickscript=lambda values: ".serviceNow()",
    test_hint="Check the instance URL, the user's evt_mgmt_integration role and password (ServiceNow answers 401), "
              "and that Event Management is active.",
)


# -- SMTP (email) --------------------------------------------------------------------

def _email_tickscript(values: Mapping[str, Any]) -> str:
    to = values.get("to") or []
    first = to[0] if isinstance(to, list) and to else (str(to).split(",")[0].strip() if to else "oncall@example.com")
    return f".email({_quote(first)})"


SMTP = HandlerSpec(
    name="smtp",
    title="Email (SMTP)",
    section="smtp",
    summary="Send alerts by email through an SMTP server.",
    service_test="smtp",
    guide_url=_guide("email"),
    options=(
        _enabled(),
        OptionSpec("host", "SMTP server", default="localhost", required=True, validate=v.smtp_host,
                   placeholder="smtp.example.com", help="The mail server Kapacitor hands its emails to."),
        OptionSpec("port", "Port", int, default=25, validate=v.smtp_port,
                   help="587 for submission with STARTTLS, 465 for TLS, 25 for a relay. A whole number: Kapacitor "
                        "stores a fraction and then fails on every later read and at its next start."),
        OptionSpec("username", "User name", placeholder="empty: no login",
                   help="Kapacitor logs in (AUTH PLAIN) when a user name is set and the server offers it."),
        OptionSpec("password", "Password", secret=True, validate=v.any_text,
                   help="The mail account's password, or an app password for providers that require one."),
        OptionSpec("no-verify", "Skip TLS verification", bool, default=False,
                   help="Kapacitor accepts any certificate from the mail server. Only for tests."),
        _global("email"),
        _state_changes_only(),
        OptionSpec("from", "Sender address", required=True, validate=v.smtp_from, placeholder="kapacitor@example.com",
                   help="The From address; many servers only accept addresses of the account you log in with."),
        OptionSpec("to", "Recipients", list, default=None, validate=v.email_list, placeholder="oncall@example.com, ops@example.com",
                   help="Default recipients, separated by commas; rules can name others with .email('…') or .to('…')."),
        OptionSpec("to-templates", "Recipient templates", list, default=None, validate=v.recipient_templates,
                   placeholder="{{ index .Tags \"owner\" }}@example.com",
                   help="Go templates that make recipient addresses from each alert's data (Kapacitor 1.7+)."),
        OptionSpec("idle-timeout", "Idle timeout", default="30s", validate=v.idle_timeout,
                   help="How long Kapacitor keeps the connection to the mail server open after the last email, as a Go duration."),
    ),
    steps=(
        StepText(
            id="server",
            title="Your mail server",
            body=(
                "1. Find your provider's **SMTP submission** settings: server name and port (587 with STARTTLS "
                "is usual; 465 for TLS; 25 for a local relay).\n"
                "2. Enter the account's **user name** and **password**. Providers with two-step sign-in "
                "(Google, Microsoft 365) need an **app password**.\n"
                "3. Enter the **sender address**, one the account may send as."
            ),
            options=("host", "port", "username", "password", "from"),
            links=(
                Link("Google: app passwords", "https://support.google.com/accounts/answer/185833"),
                Link("Microsoft 365: SMTP AUTH submission", "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission"),
                Link("Kapacitor's email handler", _guide("email")),
            ),
            help="Kapacitor's own test only queues the email: it reports success even when the server is down or "
                 "refuses the login. The wizard's direct check connects, says EHLO, starts TLS, logs in and sends "
                 "a test mail, and reports what the server answered.",
        ),
        StepText(
            id="recipients",
            title="Who gets the emails",
            body="Default recipients, separated by commas. Alert rules can name others: `.email('db-team@example.com')`.",
            options=("to", "to-templates", "idle-timeout", "no-verify"),
        ),
        _which_alerts_step("email", ".email()"),
    ),
    tickscript=_email_tickscript,
    test_proves="Kapacitor put the email in its queue; it did not wait for the mail server, so a server that is down, "
                "a refused login or a refused recipient still shows success (those errors only reach Kapacitor's log).",
    direct_check="smtp",
    test_hint="Check Kapacitor's log for SMTP errors, the server name and port, the login (an app password for "
              "Google or Microsoft), and that the sender address belongs to the account.",
)


# -- SNMP traps ----------------------------------------------------------------------

SNMPTRAP = HandlerSpec(
    name="snmptrap",
    title="SNMP trap",
    section="snmptrap",
    summary="Send alerts as SNMP v2c traps to a trap receiver.",
    service_test="snmptrap",
    guide_url=_guide("snmptrap"),
    options=(
        _enabled(),
        OptionSpec("addr", "Trap receiver", default="localhost:162", required=True, validate=v.snmptrap_addr,
                   placeholder="nms.example.com:162",
                   help="The receiver's host:port (UDP, 162 by default). Kapacitor accepts an address without a port "
                        "and fails only when it sends, so the wizard asks for the port."),
        OptionSpec("community", "Community", secret=True, default="kapacitor", validate=v.any_text,
                   help="The SNMP v2c community the receiver accepts (Kapacitor's default: kapacitor). It travels in "
                        "clear in every trap, as SNMP v2c requires."),
        OptionSpec("retries", "Retries", int, default=1, validate=v.retries, help="How often Kapacitor resends a trap."),
    ),
    steps=(
        StepText(
            id="receiver",
            title="The trap receiver",
            body=(
                "1. Find your trap receiver (your network management system, or `snmptrapd`): its host and "
                "UDP port (162 by default).\n"
                "2. Enter the **community** it accepts (snmptrapd: `authCommunity log <community>` in snmptrapd.conf).\n"
                "3. Alert rules send traps with `.snmpTrap('1.3.6.1.4.1.1')` and `.data(oid, type, value)`."
            ),
            options=("addr", "community", "retries"),
            links=(
                Link("Net-SNMP: snmptrapd.conf", "http://www.net-snmp.org/docs/man/snmptrapd.conf.html"),
                Link("Kapacitor's SNMP trap handler", _guide("snmptrap")),
            ),
        ),
    ),
    tickscript=lambda values: ".snmpTrap('1.3.6.1.4.1.1')\n.data('1.3.6.1.4.1.1.1', 's', '{{ .Message }}')",
    test_proves="Kapacitor wrote one UDP datagram to the receiver's address. UDP confirms nothing: a trap that is "
                "lost, refused by the community check or sent where nothing listens still shows success.",
    test_hint="Check the receiver's log for the test trap, the community, and that UDP to the port is not blocked by a firewall.",
)


# -- Talk ----------------------------------------------------------------------------

TALK = HandlerSpec(
    name="talk",
    title="Talk",
    section="talk",
    summary="Post alerts into a Talk (talk.ai) channel through its incoming webhook.",
    service_test="talk",
    guide_url=_guide("talk"),
    options=(
        _enabled(),
        OptionSpec("url", "Webhook URL", secret=True, required=True, validate=v.webhook_url,
                   placeholder="https://talk.ai/v1/services/webhook/…",
                   help="Kapacitor posts alerts to this incoming webhook; the URL is its secret, and Kapacitor "
                        "quotes it in clear in connection errors (the wizard masks it)."),
        OptionSpec("author_name", "Author name", placeholder="Kapacitor", help="The name alerts are posted under."),
    ),
    steps=(
        StepText(
            id="webhook",
            title="Create an incoming webhook",
            body=(
                "1. In Talk, open the channel's **Integrations** and add **Incoming Webhook**.\n"
                "2. Copy the webhook URL and paste it here.\n"
                "3. Optionally enter the author name alerts are posted under."
            ),
            options=("url", "author_name"),
            links=(Link("Kapacitor's Talk handler", _guide("talk")),),
        ),
    ),
    tickscript=lambda values: ".talk()",
    test_hint="Check that the webhook URL is complete and still active. Kapacitor counts only HTTP 200 as success.",
)


# -- Microsoft Teams -----------------------------------------------------------------

TEAMS = HandlerSpec(
    name="teams",
    title="Microsoft Teams",
    section="teams",
    summary="Post alerts into a Microsoft Teams channel through an incoming webhook.",
    service_test="teams",
    guide_url=_guide("microsoftteams"),
    options=(
        _enabled(),
        OptionSpec("channel-url", "Webhook URL", secret=True, required=True, validate=v.webhook_url,
                   placeholder="https://….webhook.office.com/webhookb2/…",
                   help="Kapacitor posts each alert as a message card to this incoming webhook. The URL is its "
                        "secret; Kapacitor shows it in clear, the wizard keeps it masked."),
        _global("Teams"),
        _state_changes_only(),
    ),
    steps=(
        StepText(
            id="webhook",
            title="Create an incoming webhook in Teams",
            body=(
                "1. In Teams, open the channel's **⋯ → Workflows** and choose **Post to a channel when a webhook "
                "request is received** (older teams: **Connectors → Incoming Webhook → Configure**).\n"
                "2. Name it *Kapacitor* and choose the team and channel.\n"
                "3. Copy the webhook URL it shows and paste it here."
            ),
            options=("channel-url",),
            links=(
                Link("Microsoft: create an incoming webhook", "https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook"),
                Link("Microsoft: webhooks with Workflows", "https://support.microsoft.com/en-us/office/create-incoming-webhooks-with-workflows-for-microsoft-teams-8ae491c7-0394-4861-ba59-055e33f75498"),
                Link("Kapacitor's Teams handler", _guide("microsoftteams")),
            ),
        ),
        _which_alerts_step("Teams", ".teams()"),
    ),
    tickscript=lambda values: ".teams()",
    test_hint="Check that the webhook still exists (Microsoft is retiring Office 365 connector webhooks in favour of "
              "Workflows) and that the Kapacitor host can reach it. Kapacitor counts HTTP 200 or 204 as success.",
)


# -- VictorOps (Splunk On-Call) ------------------------------------------------------

def _victorops_tickscript(values: Mapping[str, Any]) -> str:
    key = values.get("routing-key") or ""
    return f".victorOps()\n.routingKey({_quote(key)})" if key else ".victorOps()"


VICTOROPS = HandlerSpec(
    name="victorops",
    title="VictorOps (Splunk On-Call)",
    section="victorops",
    summary="Open incidents in Splunk On-Call (VictorOps) through its REST endpoint.",
    service_test="victorops",
    guide_url=_guide("victorops"),
    options=(
        _enabled(),
        OptionSpec("api-key", "REST API key", secret=True, required=True, validate=v.api_key,
                   placeholder="the key in the REST endpoint URL",
                   help="The key of the REST integration; Kapacitor puts it in the address it posts to "
                        "(<url>/<api-key>/<routing-key>). Kapacitor enables VictorOps without it, but then nothing arrives."),
        OptionSpec("routing-key", "Routing key", placeholder="ops",
                   help="Which team's escalation policy gets the incident; rules can name another with .routingKey()."),
        OptionSpec("url", "REST endpoint URL", default="https://alert.victorops.com/integrations/generic/20131114/alert",
                   validate=v.victorops_url,
                   help="The REST endpoint without the key: Kapacitor adds /<api-key>/<routing-key> to it."),
        OptionSpec("json-data", "Send data as JSON", bool, default=False,
                   help="Kapacitor sends the alert's data as a JSON object instead of a string."),
        _global("VictorOps"),
    ),
    steps=(
        StepText(
            id="rest",
            title="Enable the REST endpoint",
            body=(
                "1. In Splunk On-Call, open **Integrations → 3rd Party Integrations → REST – Generic**.\n"
                "2. Click **Enable Integration** if needed.\n"
                "3. The REST endpoint URL looks like `…/alert/<api-key>/$routing_key`: copy the key between "
                "`alert/` and the routing key and paste it here.\n"
                "4. Under **Settings → Routing Keys**, pick the routing key of the team to page."
            ),
            options=("api-key", "routing-key"),
            links=(
                Link("Splunk On-Call: REST endpoint integration", "https://help.victorops.com/knowledge-base/rest-endpoint-integration-guide/"),
                Link("Splunk On-Call: routing keys", "https://help.victorops.com/knowledge-base/routing-keys/"),
                Link("Kapacitor's VictorOps handler", _guide("victorops")),
            ),
            help="The API key sits in the URL Kapacitor posts to, so Kapacitor quotes it in connection errors; the "
                 "wizard masks it there too.",
        ),
        _which_alerts_step("VictorOps", ".victorOps()", state_changes=False, more=("json-data", "url"),
                           more_text="**Send data as JSON** sends the alert's data as an object, not a string. "
                                     "Keep the REST endpoint address unless you go through a proxy."),
    ),
    tickscript=_victorops_tickscript,
    test_hint="Check the REST API key (404 means the URL or key was not found) and the routing key.",
)


# -- Zenoss --------------------------------------------------------------------------

ZENOSS = HandlerSpec(
    name="zenoss",
    title="Zenoss",
    section="zenoss",
    summary="Send alerts as events to Zenoss through its JSON API (Kapacitor 1.7+).",
    service_test="zenoss",
    guide_url=_guide("zenoss"),
    options=(
        _enabled(),
        OptionSpec("url", "JSON API router URL", default="https://tenant.zenoss.io:8080/zport/dmd/evconsole_router",
                   required=True, validate=v.api_url_with_password, placeholder="https://zenoss.example.com/zport/dmd/evconsole_router",
                   help="Zenoss's event console router. The default is a placeholder: put your Zenoss address in it."),
        OptionSpec("username", "User name", validate=v.basic_auth_user,
                   help="A Zenoss user with the ZenManager role; sent with the password as basic authentication."),
        OptionSpec("password", "Password", secret=True, validate=v.any_text,
                   help="Kapacitor sends basic authentication only when both user name and password are set."),
        OptionSpec("action", "Router action", default="EventsRouter",
                   help="The JSON-RPC router Kapacitor calls (the `action` of each request)."),
        OptionSpec("method", "Router method", default="add_event",
                   help="The router method that creates the event."),
        OptionSpec("type", "Request type", default="rpc", help="The `type` of each JSON-RPC request."),
        OptionSpec("tid", "Transaction id", int, default=1, validate=v.zenoss_tid,
                   help="The `tid` Kapacitor puts in each request; Zenoss echoes it in its answer."),
        OptionSpec("collector", "Collector", default="Kapacitor", help="The collector name Zenoss shows for the events."),
        OptionSpec("severity-map", "Severity per level", dict,
                   default={"ok": "Clear", "info": "Info", "warning": "Warning", "critical": "Critical"},
                   validate=v.severity_map, placeholder="ok=Clear, info=Info, warning=Warning, critical=Critical",
                   help="The Zenoss severity for each alert level (names or numbers 0-5)."),
        _global("Zenoss"),
        _state_changes_only(),
    ),
    steps=(
        StepText(
            id="api",
            title="Zenoss's JSON API",
            body=(
                "1. Enter your Zenoss address followed by `/zport/dmd/evconsole_router`.\n"
                "2. Create or choose a Zenoss user allowed to add events (ZenManager) and enter its name and password.\n"
                "3. Keep the router settings unless your Zenoss administrator says otherwise."
            ),
            options=("url", "username", "password"),
            links=(
                Link("Zenoss: JSON API", "https://help.zenoss.com/dev/collection-zone-and-resource-manager-apis/codebase/routers/router-reference/eventsrouter"),
                Link("Kapacitor's Zenoss handler", _guide("zenoss")),
            ),
        ),
        StepText(
            id="router",
            title="Router and severities (advanced)",
            body="The JSON-RPC router call Kapacitor makes, and which Zenoss severity each alert level gets.",
            options=("action", "method", "type", "tid", "collector", "severity-map"),
        ),
        _which_alerts_step("Zenoss", ".zenoss()"),
    ),
    tickscript=lambda values: ".zenoss()",
    test_proves="Zenoss answered HTTP 200; Kapacitor does not read the answer, so a JSON-RPC error such as "
                "{\"result\": {\"success\": false}} still shows success.",
    direct_check="http-post",
    test_hint="Check the router URL, the user's rights, and Zenoss's answer in its event console.",
)


CATALOG: tuple[HandlerSpec, ...] = (
    ALERTA, BIGPANDA, DISCORD, HTTPPOST, KAFKA, MQTT, OPSGENIE, OPSGENIE2, PAGERDUTY, PAGERDUTY2,
    PUSHOVER, SENSU, SERVICENOW, SMTP, SNMPTRAP, TALK, TEAMS, VICTOROPS, ZENOSS,
)
"""Every Kapacitor event handler besides HipChat, Slack and Telegram."""
