package sourceflow

import "time"

// MaxDeliveryAge is the longest after it was sent that a message can still
// be delivered: 14 days in its SQS queue (the longest retention SQS allows)
// and 14 more in its dead-letter queue (the retention topology gives it)
// before a redrive hands it to a consumer again. It is the one window two
// defaults share: the Decrypter refuses an older message
// (encryption.DefaultMaxAge is MaxDeliveryAge), and the idempotency
// middleware keeps its records longer (idempotency.DefaultTTL), so that a
// replayed message the Decrypter still accepts is a duplicate.
const MaxDeliveryAge = 28 * 24 * time.Hour
