package cli

import (
	"context"
	"io"
	"time"
)

// noReason is what peek says of a dead letter that carries no failure
// reason: how such a message gets into a dead-letter queue.
const noReason = "none given (moved by the queue's redrive policy after its last receive, by SNS when it could not " +
	"deliver to the queue, or by a producer)"

// peekJSON is the document of dlq peek -o json.
type peekJSON struct {
	Service string `json:"service"`
	Queue   string `json:"queue"`
	Source  string `json:"source"`
	// Depth is the dead-letter queue's approximate depth, visible and in
	// flight.
	Depth    int64            `json:"approximate_depth"`
	Messages []deadLetterJSON `json:"messages"`
}

// deadLetterJSON is one message of dlq peek -o json.
type deadLetterJSON struct {
	Type      string `json:"type"`
	EntityID  string `json:"entity_id"`
	MessageID string `json:"message_id"`
	SQSID     string `json:"sqs_id"`
	// Reason is the failure reason, or noReason when the message carries
	// none (ReasonGiven false).
	Reason      string `json:"reason"`
	ReasonGiven bool   `json:"reason_given"`
	// Malformed is why a consumer refuses the message's packed envelope;
	// left out when it reads it.
	Malformed string `json:"malformed,omitempty"`
	// Receives is how often the consumer received the message; left out
	// when the dead letter does not say.
	Receives *int `json:"receives,omitempty"`
	// FailedHost and FailedVersion say which host and which version of
	// the service failed the message; each left out when the dead letter
	// does not say.
	FailedHost    string `json:"failed_host,omitempty"`
	FailedVersion string `json:"failed_version,omitempty"`
	// Sent is when the message was first sent (sf_at).
	Sent string `json:"sent,omitempty"`
	// DeadLettered is the SQS SentTimestamp of a copy awsbus made with its
	// reason, Enqueued that of a message without one (see queuedLabel).
	DeadLettered string `json:"dead_lettered,omitempty"`
	Enqueued     string `json:"enqueued,omitempty"`
	Payload      string `json:"payload,omitempty"`
}

// printLettersJSON writes the peeked letters of q, of the pair p, as one
// JSON document.
func printLettersJSON(ctx context.Context, w io.Writer, s *session, p dlqPair, q sqsQueue, letters []deadLetter, show payloadView) error {
	doc := peekJSON{Service: s.plan.Service, Queue: q.name, Source: p.source, Depth: q.visible + q.inFlight,
		Messages: make([]deadLetterJSON, len(letters))}
	for i, d := range letters {
		m := deadLetterJSON{Type: d.typ, EntityID: d.entity, MessageID: d.messageID, SQSID: d.sqsID,
			Reason: firstOf(d.reason, noReason), ReasonGiven: d.reason != "", Malformed: d.malformed,
			FailedHost: d.failedHost, FailedVersion: d.failedVersion, Sent: rfc3339(d.sent), Payload: show.render(ctx, d)}
		if d.receives > 0 {
			m.Receives = &d.receives
		}
		if d.queuedLabel() == labelDeadLettered {
			m.DeadLettered = rfc3339(d.queued)
		} else {
			m.Enqueued = rfc3339(d.queued)
		}
		doc.Messages[i] = m
	}
	return writeJSON(w, doc)
}

// rfc3339 is t in RFC 3339, to the second; "" for the zero time.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}
