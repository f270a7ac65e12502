package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
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
	Receives    int    `json:"receives"`
	Sent        string `json:"sent,omitempty"`
	Payload     string `json:"payload,omitempty"`
}

// printLettersJSON writes the peeked letters of q, of the pair p, as one
// JSON document.
func printLettersJSON(ctx context.Context, w io.Writer, s *session, p dlqPair, q sqsQueue, letters []deadLetter, show payloadView) error {
	doc := peekJSON{Service: s.plan.Service, Queue: q.name, Source: p.source, Depth: q.visible + q.inFlight,
		Messages: make([]deadLetterJSON, len(letters))}
	for i, d := range letters {
		m := deadLetterJSON{Type: d.typ, EntityID: d.entity, MessageID: d.messageID, SQSID: d.sqsID,
			Reason: firstOf(d.reason, noReason), ReasonGiven: d.reason != "", Receives: d.receives,
			Payload: show.render(ctx, d)}
		if !d.sent.IsZero() {
			m.Sent = d.sent.Format(time.RFC3339)
		}
		doc.Messages[i] = m
	}
	var buf bytes.Buffer
	if err := writeJSON(&buf, doc); err != nil {
		return err
	}
	_, err := w.Write(escapeJSONControls(buf.Bytes()))
	return err
}

// escapeJSONControls returns the JSON text b with every non-ASCII
// character a terminal would act on (C1 controls such as \u009b, format
// characters) written as a \u escape, which JSON reads as the same
// character: encoding/json escapes the ASCII controls only, and a dead
// letter's fields come from anyone who can send to the queue.
func escapeJSONControls(b []byte) []byte {
	var out bytes.Buffer
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r < utf8.RuneSelf || strconv.IsPrint(r) || (r == utf8.RuneError && n == 1):
			out.Write(b[:n])
		case r > 0xFFFF:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&out, `\u%04x\u%04x`, hi, lo)
		default:
			fmt.Fprintf(&out, `\u%04x`, r)
		}
		b = b[n:]
	}
	return out.Bytes()
}
