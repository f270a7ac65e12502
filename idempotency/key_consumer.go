package idempotency

import "strings"

// consumerKey returns the consumer part of a key: consumer itself, or
// "sha256:" and its hex SHA-256 when it is longer than MaxKeyLength (a long
// service name and destination make a long router handler name), so that
// every bundled store takes it, or when it begins "sha256:" itself, so that
// no name shares the key of a hashed one. It reports ErrInvalidKey when
// consumer is not UTF-8.
func consumerKey(consumer string) (string, error) {
	if err := checkKeyPart("consumer", consumer); err != nil {
		return "", err
	}
	if len(consumer) <= MaxKeyLength && !strings.HasPrefix(consumer, hashedKeyPrefix) {
		return consumer, nil
	}
	return hashedKeyPart(consumer), nil
}
