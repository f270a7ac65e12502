package sourceflow

import "errors"

// ErrStoreUnavailable marks a failure of the service's own state: its
// store, idempotency store or outbox could not reach its database (the
// connection was refused, not answered within its timeout, or the server
// is shutting down or starting up). The module's SQL and DynamoDB stores
// mark such failures (StoreUnavailable); a handler's own error is not
// marked. A retry may cure it once the database is back, so cqrs's
// PubSubTransport and ChannelTransport redeliver a message that failed
// with it without using up its deliveries, for a bounded time, instead of
// dead-lettering it after MaxDeliveries (see cqrs.PubSubConfig).
var ErrStoreUnavailable = errors.New("sourceflow: state store unavailable")

// MetaStoreUnavailable is set to "true" on a consumed message, before it
// is nacked, when its handler failed with an error marked
// ErrStoreUnavailable (and not Permanent).
const MetaStoreUnavailable = "sf_store_unavailable"

// StoreUnavailable wraps err so that errors.Is(err, ErrStoreUnavailable)
// holds, its text unchanged, while the original error stays reachable with
// errors.Is and errors.As. StoreUnavailable(nil) is nil, and an error
// marked already is returned as it is.
func StoreUnavailable(err error) error { return markWith(err, ErrStoreUnavailable) }

// IsStoreUnavailable reports whether err is marked ErrStoreUnavailable.
func IsStoreUnavailable(err error) bool { return errors.Is(err, ErrStoreUnavailable) }
