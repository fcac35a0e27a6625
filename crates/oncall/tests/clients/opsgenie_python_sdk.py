"""Drives `oncall serve` through the official Opsgenie Python SDK (`opsgenie-sdk` on PyPI).

Run by crates/oncall/tests/serve_clients.rs with the SDK from the venv that
scripts/install-test-tools makes:

    python opsgenie_python_sdk.py http://127.0.0.1:PORT KEY

Creates an alert, reads it back (by id, alias and tiny id), lists and counts, acknowledges,
adds a note, closes it, and checks each request's status, all through the SDK's own models (a
field the SDK cannot read fails here). Prints one JSON object with what it saw; exits non-zero
on the first surprise.
"""

import json
import sys
import time

import opsgenie_sdk


def main():
    url, key = sys.argv[1], sys.argv[2]
    conf = opsgenie_sdk.Configuration()
    conf.host = url
    conf.api_key["Authorization"] = key
    # The SDK retries 5xx and 429 answers; a retry would hide a failure of the service.
    conf.retry_enabled = False
    api = opsgenie_sdk.AlertApi(api_client=opsgenie_sdk.ApiClient(configuration=conf))
    seen = {}

    def settled(response, action):
        """The request's status. The service commits before its 202, so it is there at once."""
        assert response.result == "Request will be processed", response
        assert response.request_id and response.took is not None, response
        status = api.get_request_status(request_id=response.request_id).data
        assert status.action == action, (status.action, action)
        assert status.is_success, status
        return status

    created = api.create_alert(
        create_alert_payload=opsgenie_sdk.CreateAlertPayload(
            message="Checkout latency over 2 s",
            alias="checkout-latency",
            description="p99 of /checkout above 2 s for 5 minutes",
            tags=["checkout", "latency"],
            details={"region": "eu-west-1"},
            entity="checkout",
            source="python-sdk",
            priority="P2",
        )
    )
    status = settled(created, "Create")
    alert_id = status.alert_id
    seen["create"] = {"alertId": alert_id, "alias": status.alias, "status": status.status}

    by_id = api.get_alert(identifier=alert_id, identifier_type="id").data
    by_alias = api.get_alert(identifier="checkout-latency", identifier_type="alias").data
    by_tiny = api.get_alert(identifier=by_id.tiny_id, identifier_type="tiny").data
    assert by_id.id == by_alias.id == by_tiny.id == alert_id, (by_id.id, by_alias.id, by_tiny.id)
    seen["get"] = {
        "id": by_id.id,
        "tinyId": by_id.tiny_id,
        "alias": by_id.alias,
        "message": by_id.message,
        "priority": by_id.priority,
        "status": by_id.status,
        "acknowledged": by_id.acknowledged,
        "tags": by_id.tags,
        "details": by_id.details,
        "entity": by_id.entity,
        "source": by_id.source,
        "count": by_id.count,
        "createdAt": by_id.created_at.isoformat(),
        "integration": by_id.integration.name if by_id.integration else None,
    }

    # The on-call user is paged at once: wait until the alert's log (through the SDK) shows
    # the delivery, so the acknowledgement below comes after the page.
    for _ in range(200):
        logs = api.list_logs(identifier=alert_id, limit=100).data
        if any(entry.type == "notification-attempt" and "delivered" in entry.log for entry in logs):
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"no delivery in the alert's log: {[(e.type, e.log) for e in logs]}")
    seen["logTypes"] = sorted({entry.type for entry in logs})

    # A second create with the same alias is counted into the open alert.
    settled(
        api.create_alert(
            create_alert_payload=opsgenie_sdk.CreateAlertPayload(
                message="Checkout latency over 2 s", alias="checkout-latency"
            )
        ),
        "Create",
    )
    listed = api.list_alerts(query="status:open", limit=10, sort="createdAt", order="desc")
    seen["list"] = [a.id for a in listed.data]
    seen["count"] = api.count_alerts(query="alias:checkout-latency").data.count

    settled(
        api.acknowledge_alert(
            identifier="checkout-latency",
            identifier_type="alias",
            acknowledge_alert_payload=opsgenie_sdk.AcknowledgeAlertPayload(
                user="ben", source="python-sdk", note="looking at it"
            ),
        ),
        "Acknowledge",
    )
    acked = api.get_alert(identifier=alert_id).data
    seen["afterAcknowledge"] = {
        "acknowledged": acked.acknowledged,
        "owner": acked.owner,
        "count": acked.count,
        "status": acked.status,
    }

    settled(
        api.add_note(
            identifier=alert_id,
            add_note_to_alert_payload=opsgenie_sdk.AddNoteToAlertPayload(user="ben", note="rolled back"),
        ),
        "AddNote",
    )
    seen["notes"] = [n.note for n in api.list_notes(identifier=alert_id).data]

    settled(
        api.close_alert(
            identifier=by_id.tiny_id,
            identifier_type="tiny",
            close_alert_payload=opsgenie_sdk.CloseAlertPayload(user="ben", source="python-sdk", note="fixed"),
        ),
        "Close",
    )
    closed = api.get_alert(identifier=alert_id).data
    seen["afterClose"] = {
        "status": closed.status,
        "acknowledged": closed.acknowledged,
        "notes": [n.note for n in api.list_notes(identifier=alert_id).data],
    }

    # Errors come back as the SDK's exceptions with Opsgenie's status codes.
    try:
        api.get_alert(identifier="alert-999999")
        raise AssertionError("an unknown alert was found")
    except opsgenie_sdk.ApiException as e:
        seen["unknownAlertStatus"] = e.status
    bad = opsgenie_sdk.AlertApi(
        api_client=opsgenie_sdk.ApiClient(configuration=_with_key(conf, "wrong-key"))
    )
    try:
        bad.get_alert(identifier=alert_id)
        raise AssertionError("a wrong key was accepted")
    except opsgenie_sdk.exceptions.AuthenticationException as e:
        seen["wrongKeyStatus"] = e.status

    print(json.dumps(seen, sort_keys=True))


def _with_key(conf, key):
    other = opsgenie_sdk.Configuration()
    other.host = conf.host
    other.retry_enabled = False
    other.api_key["Authorization"] = key
    return other


if __name__ == "__main__":
    main()
