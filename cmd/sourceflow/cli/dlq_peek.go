package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

// maxPeek bounds dlq peek --max.
const maxPeek = 1000

type peekFlags struct {
	path, queue, appName, output string
	max                          int
	checkTimeout                 time.Duration
	payload, decrypt, summary    bool
	keyIDs                       []string
}

// peekLong is the help text of dlq peek.
const peekLong = `peek shows up to --max messages of a dead-letter queue, decoded: type,
entity id, message id (with its type, the idempotency key), the SQS message id, the
failure reason, how often the consumer received it ("receives", as SourceFlow's
AWS transport writes it into its dead-letter copy; "unknown" for a message
the queue's redrive policy moved, which carries no count), the host and
the version of the service whose handler failed it (sf_failed_host and
sf_failed_version, which SourceFlow's services record beside the reason;
"unknown" for a message that does not say), when it was first
sent (the envelope's sf_at, kept across retries and redrives) and when it
entered the dead-letter queue: "dead-lettered" for a copy with its reason,
"enqueued" for a message without one (SQS keeps a standard queue's enqueue
time when its redrive policy moves a message). They are read as a
consumer reads them: a message whose packed sf_env attribute a consumer
refuses (a key it never holds, such as sf_type, or one that is also an
attribute) is shown from its attributes alone, with a "malformed" line
saying why. --queue names the dead-letter queue or the queue it belongs to,
which must be one the service consumes (see dlq list): the dead-letter
queue of a queue the service only sends to is its consumer's, and peek
refuses it (exit 2).

Nothing is consumed: peek receives with a visibility timeout of 1 second
(the SDK leaves a timeout of 0 out of the request, which then takes the
queue's default), never deletes, and at the end makes what it received
visible again at once (ChangeMessageVisibility 0). Each peek adds one to
SQS's receive count of the dead letter, which peek does not show. On a FIFO
queue SQS holds a message group back while any of its messages is in
flight, so peek may show fewer than --max messages of one group. Control characters in what it prints are escaped (\x1b, \n).
Each SQS call is bounded by --check-timeout (a receive's beyond the second
it waits for messages), as is each KMS call of --decrypt: an endpoint that
does not answer fails the command then, naming the endpoint (exit 3), not
at the end of --timeout (a payload KMS does not decrypt in time is shown
encrypted, saying so).

The payload is shown only with --payload. An encrypted payload is shown as
"encrypted (N bytes)" unless --decrypt is given: then it is decrypted with
the caller's own KMS access (kms:Decrypt on the key), as the consumer would,
and shown in clear, whatever its date (a message the consumer refused as
too old, or dated ahead of its clock, is shown too); --decrypt implies
--payload. --app-name must equal the
application name of the producers' encryption (default "sourceflow").
--key-id, once per key (key id, key ARN, alias or alias ARN), lists the
only KMS keys --decrypt accepts, as the consumer's DecrypterConfig.KeyIDs
does: a message whose data key was wrapped under another key is shown as
encrypted, and KMS is not asked to decrypt it, so a dead letter someone
encrypted under a key of their own cannot make peek use the caller's
access to it. Each id is checked with kms:DescribeKey, once, before any
message is received: one KMS finds no key for (a mistyped alias, or a key
ARN of no key) fails the command (exit 2), as an alias or key id the
credentials may not describe does (exit 3); a key ARN they may not
describe is used unchecked, as the consumer uses it.
Without --key-id any key the caller may decrypt with is used.

With -o json it prints one document, for scripts:
{"service", "queue", "source", "approximate_depth", "messages": [{"type",
"entity_id", "message_id", "sqs_id", "reason", "reason_given", "malformed",
"receives", "failed_host", "failed_version", "sent", "dead_lettered",
"enqueued", "payload"}]}. "reason" is
always set: the failure reason, or, when the message carries none
("reason_given": false), the same explanation the table gives. "receives" is
left out when unknown, as are "failed_host" and "failed_version", "sent" (RFC 3339, as the other times) when the
envelope has no time, "dead_lettered" (a copy with its reason) or
"enqueued" (a message without one) when SQS gives no time, "payload"
unless --payload or --decrypt shows it, "malformed" when a consumer reads
the envelope. Characters a terminal would act on are \u
escapes.

` + peekSummaryHelp

func newDLQPeekCommand(g *globals) *cobra.Command {
	var f peekFlags
	cmd := flagCommand(&cobra.Command{
		Use:   "peek -f FILE --queue NAME",
		Short: "Show the messages of a dead-letter queue without consuming them",
		Long:  peekLong,
		Example: "  sourceflow dlq peek -f orders.topology.yaml --queue orders-dlq.fifo\n" +
			"  sourceflow dlq peek -f orders.topology.yaml --queue orders.fifo --max 50 --payload\n" +
			"  sourceflow dlq peek -f orders.topology.yaml --queue orders-dlq.fifo --decrypt\n" +
			"  sourceflow dlq peek -f orders.topology.yaml --queue orders-dlq.fifo --decrypt --key-id alias/orders\n" +
			"  sourceflow dlq peek -f orders.topology.yaml --queue orders-dlq.fifo -o json\n" +
			"  sourceflow dlq peek -f orders.topology.yaml --queue orders-dlq.fifo --summary",
	}, &f, g.runDLQPeek)
	addFileFlag(cmd, &f.path)
	addQueueFlag(cmd, &f.queue)
	cmd.Flags().IntVar(&f.max, "max", 10, fmt.Sprintf("most messages to show, 1..%d", maxPeek))
	cmd.Flags().BoolVar(&f.payload, "payload", false, "show the payload (encrypted ones as their size)")
	cmd.Flags().BoolVar(&f.decrypt, "decrypt", false, "decrypt encrypted payloads with KMS and show them; implies --payload")
	cmd.Flags().StringArrayVar(&f.keyIDs, "key-id", nil,
		"with --decrypt, a KMS key (id, ARN or alias) whose data keys are accepted, once per key; others are not sent to KMS (default: any key)")
	cmd.Flags().BoolVar(&f.summary, "summary", false,
		"count the messages by type and by reason, up to the queue's depth, instead of showing them")
	cmd.Flags().StringVar(&f.appName, "app-name", "sourceflow", "application name bound into the encryption context")
	addOutputFlag(cmd, &f.output)
	addCheckTimeoutFlag(cmd, &f.checkTimeout, "bound on each SQS and KMS call (a receive's beyond the second it waits for messages)")
	return cmd
}

// addQueueFlag adds the required --queue flag.
func addQueueFlag(cmd *cobra.Command, name *string) {
	cmd.Flags().StringVar(name, "queue", "", "a dead-letter queue of the service, or the queue it belongs to (see dlq list)")
	_ = cmd.MarkFlagRequired("queue")
}

func (g *globals) runDLQPeek(cmd *cobra.Command, f peekFlags) error {
	if err := checkOutput(f.output); err != nil {
		return err
	}
	if err := checkMax(f.max, maxPeek); err != nil {
		return err
	}
	if err := checkSummaryFlags(f, cmd.Flags().Changed("max")); err != nil {
		return err
	}
	if len(f.keyIDs) > 0 && !f.decrypt {
		return &ExitError{Code: ExitUsage, Err: errors.New("--key-id: only with --decrypt, whose accepted keys it lists")}
	}
	if err := checkKeyIDs(f.keyIDs); err != nil {
		return err
	}
	ctx, cancel := g.withTimeout(cmd)
	defer cancel()
	s, api, p, err := g.openPair(ctx, cmd, f.path, f.queue, f.checkTimeout)
	if err != nil {
		return err
	}
	q, err := resolveQueue(ctx, api, p.dlq)
	if err != nil {
		return s.boundedQueueFailure(ctx, "dlq peek", err, f.checkTimeout)
	}
	if f.summary {
		return s.runPeekSummary(ctx, cmd.OutOrStdout(), api, p, q, f)
	}
	show, err := newPayloadView(ctx, s, f, p)
	if err != nil {
		return err
	}
	letters, err := peekLetters(ctx, api, q, f.max)
	if err != nil {
		return s.boundedFailure(ctx, "dlq peek "+q.name, err, f.checkTimeout)
	}
	out := cmd.OutOrStdout()
	if f.output == outputJSON {
		return printLettersJSON(ctx, out, s, p, q, letters, show)
	}
	fmt.Fprintf(out, "Dead-letter queue %s of %s: %d of about %s, none consumed.\n",
		q.name, p.source, len(letters), counted(q.visible+q.inFlight, "message", "messages"))
	for _, d := range letters {
		printLetter(out, d, show.render(ctx, d))
	}
	return nil
}
