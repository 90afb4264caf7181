/* Alerts: one structured journal entry per decision event (action taken,
 * action failed, would act in dry-run, all candidates protected, recovered),
 * with the candidate ranking of that moment; stderr when [alert] journal is
 * off or there is no journal; the STATUS= line (sent by the daemon) with
 * the last decision.
 *
 * The MESSAGE_IDs and field names are a documented interface
 * (thrashguard(8)): never change one. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "act/action.h"
#include "config/config.h"
#include "decide/policy.h"
#include "observe/snapshot.h"

#define ALERT_MAX_TOP 16 /* [alert] top is capped here */

enum alert_event {
        ALERT_ACTED,         /* a kill, freeze or thaw was carried out */
        ALERT_FAILED,        /* an action failed, or a kill/freeze was partial */
        ALERT_WOULD_ACT,     /* dry-run: the action that would have been taken */
        ALERT_ALL_PROTECTED, /* a rule holds but every candidate is protected */
        ALERT_RECOVERED,     /* pressure back to normal after an action */
        _ALERT_EVENT_MAX,
};

#define ALERT_MESSAGE_ID_ACTED         "2b2e42b20e434042acc519a8da2a8e80"
#define ALERT_MESSAGE_ID_FAILED        "55dc518f02c54c738ee4853fab2cd46b"
#define ALERT_MESSAGE_ID_WOULD_ACT     "b0311b043d5847478b98aa97019bcba6"
#define ALERT_MESSAGE_ID_ALL_PROTECTED "21538a74078046e0b772719ce3221727"
#define ALERT_MESSAGE_ID_RECOVERED     "37e1842b61c442208d57fd1b0c93f3f8"

/* One decision event and everything reported with it. */
struct alert {
        enum alert_event event;
        const struct decision *d;
        const struct snapshot *snap;        /* the snapshot decided on (scope, candidates) */
        const struct action_result *result; /* NULL when nothing was attempted */
        const struct ranked *top;           /* the ranking of d->scope at that moment */
        size_t n_top;
};

/* The event a decision and its outcome (result NULL: none attempted) make. */
enum alert_event alert_event_of(const struct decision *d, const struct action_result *result);

const char *alert_event_to_string(enum alert_event e); /* "acted", "failed", ... */
const char *alert_message_id(enum alert_event e);      /* 32 hex digits */
int alert_priority(enum alert_event e);                /* syslog priority */

/* Pure formatting, for the journal, stderr and tests. MESSAGE: one line
 * saying what, why and to whom. */
void alert_format_message(const struct alert *a, char *buf, size_t size);
/* The first line of a decision on stderr: who first (the pod as
 * "ns/pod/container", the container, or the service), what and where, in
 * at most ALERT_HEADLINE_MAX characters; what, why and the rest follow on
 * the next lines. */
#define ALERT_HEADLINE_MAX 200
void alert_format_headline(const struct alert *a, char *buf, size_t size);
/* THRASHGUARD_CANDIDATES: one line per ranked candidate, '\n'-separated. */
void alert_format_candidates(const struct alert *a, char *buf, size_t size);
/* The short form for sd_notify STATUS=. */
void alert_format_status(const struct alert *a, char *buf, size_t size);

struct journal_sender;

/* Sends the entry to the journal through j, never waiting ([alert]
 * journal=true); writes it to stderr (non-blocking) when there is no
 * journal socket or [alert] journal is off; an entry journald does not
 * accept is counted as lost in j and summarised once it accepts again.
 * Returns 0 when it went to (or was meant for) the journal, 1 when to
 * stderr. Never fails the caller. */
int alert_emit(struct journal_sender *j, const struct config *c, const struct alert *a);

/* The STATUS= line after the event: alert_format_status, with the count
 * of entries j lost when there are any; "" when the event has none. */
void alert_status_line(const struct alert *a, const struct journal_sender *j, char *buf,
                       size_t size);
