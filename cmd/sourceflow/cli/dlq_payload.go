package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// payloadView renders the payload of a dead letter as peek's flags ask.
type payloadView struct {
	show        bool
	dec         *encryption.Decrypter
	destination string
	// resolved says what the --key-id values other than key ARNs resolved
	// to ("alias/orders is arn:…"), "" when none.
	resolved string
	// kmsRegion and kmsEndpoint are those of dec's KMS client, as
	// kmsTarget words them, for the advice on a call that did not reach it.
	kmsRegion, kmsEndpoint string
	// bound is --check-timeout, the bound on each of dec's KMS calls; 0
	// when it has none of its own (only the Decrypter's).
	bound time.Duration
}

// anyDate is the maximum age and clock skew of peek's Decrypter. They keep
// a consumer from running a replayed message; reading a dead letter is no
// replay, and a message refused for its date (too old, or dated ahead of
// the consumer's clock) is one an operator needs to read.
const anyDate = time.Duration(math.MaxInt64)

// newPayloadView returns the view of f for the messages of p; with
// --decrypt it builds a Decrypter over the caller's KMS client, accepting
// only the keys of --key-id, resolved to key ARNs, when it is given.
func newPayloadView(ctx context.Context, s *session, f peekFlags, p dlqPair) (payloadView, error) {
	v := payloadView{show: f.payload || f.decrypt, destination: p.destination}
	if !f.decrypt {
		return v, nil
	}
	client, err := dlqDepsFrom(ctx).kms(ctx)
	if err != nil {
		return v, &ExitError{Code: ExitUsage, Err: err}
	}
	api := withBound(client, callBound{bound: f.checkTimeout})
	v.bound = f.checkTimeout
	ids := distinct(f.keyIDs)
	keyARNs, err := resolveKeyIDs(ctx, s, api, f.checkTimeout, ids)
	if err != nil {
		return v, err
	}
	v.resolved = resolvedText(ids, keyARNs)
	v.kmsRegion, v.kmsEndpoint = kmsTarget(client, s.clients.Region, s.shared.profile)
	v.dec, err = encryption.NewDecrypter(api, encryption.DecrypterConfig{AppName: f.appName,
		MaxAge: anyDate, MaxClockSkew: anyDate, Accept: encryption.AcceptSigned, KeyIDs: keyARNs})
	if err != nil {
		return v, &ExitError{Code: ExitUsage, Err: fmt.Errorf("--decrypt: %w", err)}
	}
	return v, nil
}

// render returns the payload line's text, or "" when the payload is not
// shown.
func (v payloadView) render(ctx context.Context, d deadLetter) string {
	switch {
	case !v.show:
		return ""
	case !d.encrypted():
		return d.body
	case v.dec == nil:
		return fmt.Sprintf("encrypted (%d bytes)", len(d.body))
	}
	msg := message.NewMessage(d.messageID, []byte(d.body))
	for k, val := range d.metadata {
		msg.Metadata.Set(k, val)
	}
	if err := v.dec.Decrypt(ctx, v.destination, msg); err != nil {
		return fmt.Sprintf("encrypted (%d bytes), cannot decrypt: %s (%s)", len(d.body), decryptText(err), v.decryptHint(ctx, err))
	}
	return string(msg.Payload)
}

// decryptText is the text of err, the Decrypter's, as a payload line shows
// it: a key refused as not allowed (*encryption.KeyNotAllowedError) is
// worded with the flag the operator gave, --key-id, not the library's
// field it fills; the key the header names, the sender's, is shown quoted,
// escaped and cut as the library's own wording shows it.
func decryptText(err error) string {
	refused, ok := errors.AsType[*encryption.KeyNotAllowedError](err)
	if !ok {
		return err.Error()
	}
	keyID := `"` + strings.ReplaceAll(sourceflow.IDText(refused.KeyID), `"`, `\"`) + `"`
	ours := fmt.Sprintf("%s: the data key was wrapped under %s, which --key-id (%s) does not name",
		encryption.ErrKeyNotAllowed, keyID, strings.Join(refused.KeyIDs, ", "))
	if refused.NotKeyARN {
		ours = fmt.Sprintf("%s: the header names %s, not a key ARN, so --key-id (%s) cannot be checked",
			encryption.ErrKeyNotAllowed, keyID, strings.Join(refused.KeyIDs, ", "))
	}
	return strings.Replace(err.Error(), refused.Error(), ours, 1)
}

// decryptHint says what to check when a payload cannot be decrypted: a key
// --key-id does not list was refused before any KMS Decrypt call, so
// kms:Decrypt is not at fault (every --key-id was resolved before); a
// Decrypt call that did not reach KMS (refused connection, no answer in
// time) points at the KMS client's endpoint and region, not at the key,
// and at --timeout only when ctx, the command's, ended, else at
// --check-timeout, which bounds each KMS call (the Decrypter bounds a KMS
// call on its own too, which --timeout does not raise).
func (v payloadView) decryptHint(ctx context.Context, err error) string {
	if _, unsent := sendCause(err); unsent {
		return fmt.Sprintf("the KMS endpoint cannot be reached (%s; region %s): %s",
			v.kmsEndpoint, v.kmsRegion, unreachedHint(err))
	}
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		return unansweredText("KMS", "in time", v.kmsRegion, v.kmsEndpoint, "--timeout")
	}
	if errors.Is(err, context.DeadlineExceeded) && v.bound > 0 { // --check-timeout, unless the Decrypter's longer own bound
		return unansweredText("KMS", fmt.Sprintf("within --check-timeout (%s)", v.bound), v.kmsRegion, v.kmsEndpoint, "--check-timeout")
	}
	if errors.Is(err, context.DeadlineExceeded) { // the Decrypter's own bound on a KMS call
		return fmt.Sprintf("KMS did not answer in time: check that the endpoint of region %s (%s) answers",
			v.kmsRegion, v.kmsEndpoint)
	}
	if errors.Is(err, encryption.ErrKeyNotAllowed) && v.resolved != "" {
		return "its KMS key is not one of --key-id; " + v.resolved
	}
	if errors.Is(err, encryption.ErrKeyNotAllowed) {
		return "its KMS key is not one of --key-id"
	}
	return "check kms:Decrypt on the key and --app-name"
}

// printLetter writes one dead letter as a block of labelled lines.
func printLetter(w io.Writer, d deadLetter, payload string) {
	typ := firstOf(d.typ, "(no type)")
	fmt.Fprintf(w, "\n%s\n", printable(typ))
	line := func(label, value string) { fmt.Fprintf(w, "  %-11s %s\n", label, printable(value)) }
	line("entity", firstOf(d.entity, "-"))
	line("message id", d.messageID)
	line("sqs id", d.sqsID)
	line("reason", firstOf(d.reason, noReason))
	if d.malformed != "" {
		line("malformed", d.malformed)
	}
	line("receives", firstOf(d.receivesText(), receivesUnknown))
	line("host", firstOf(d.failedHost, originUnknown))
	line("version", firstOf(d.failedVersion, originUnknown))
	if !d.sent.IsZero() {
		line("sent", d.sent.Format(time.RFC3339))
	}
	if !d.queued.IsZero() {
		line(d.queuedLabel(), d.queued.Format(time.RFC3339))
	}
	if payload != "" {
		line("payload", payload)
	}
}
