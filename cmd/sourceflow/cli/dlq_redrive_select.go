package cli

// dlqDeadLetteredAt is the time dlq redrive's --before and --after compare.
const dlqDeadLetteredAt = "compared with when the message reached the dead-letter queue (its SentTimestamp there, by SQS's clock; " +
	"copy only); a duration counts back from this machine's clock"

const dlqRedriveSelectHelp = `--reason, --before and --after, like --type and with it, redrive only
the messages that match every one given, by copy as --type does (--method
native is refused, exit 2): --reason the text the reason (sf_failure)
contains, --before and --after an RFC 3339 time or a duration meaning
that long ago, compared with when the message reached the dead-letter
queue (its SentTimestamp there, which SQS stamps by its own clock: when
an awsbus consumer copied it in; a message SQS's redrive policy moved
keeps the time it was first sent). A duration counts back from this
machine's clock, so a clock off from SQS's moves the bound by as much.
--before is exclusive, --after inclusive. The messages not selected are
left as --type leaves those of other types, and the output says how many
it moved and how many it left. On a FIFO queue a selected message goes
back ahead of an earlier message of its group that stays.

Every message with SourceFlow's envelope goes back with one more redrive
counted in it (sf_redrives, and sf_redriven_at the time), so one that
fails again shows it was redriven; another producer's message, and every
message a native move task moves, goes back uncounted.`
