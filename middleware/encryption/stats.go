package encryption

import "sync/atomic"

// Stats is a snapshot of the counters of an Encrypter or Decrypter, for the
// metrics package to export. Counters only grow.
type Stats struct {
	// GenerateDataKeyCalls counts GenerateDataKey requests sent to KMS,
	// retries included.
	GenerateDataKeyCalls int64
	// DecryptCalls counts Decrypt requests sent to KMS, retries included.
	DecryptCalls int64
	// DescribeKeyCalls counts DescribeKey requests, retries included:
	// the Encrypter's health checks and the Decrypter's resolutions of
	// DecrypterConfig.KeyIDs.
	DescribeKeyCalls int64
	// CacheHits counts messages served by a cached data key.
	CacheHits int64
	// CacheMisses counts messages that had to wait for KMS (or for another
	// goroutine's KMS call on the same key).
	CacheMisses int64
	// Retries counts KMS calls retried after throttling.
	Retries int64
	// Messages counts messages encrypted or decrypted successfully.
	Messages int64
	// Failures counts messages that could not be encrypted or decrypted.
	Failures int64
	// GenerateDataKeyFailures counts GenerateDataKey calls that failed in
	// the end: after their retries (throttling), at once for an error no
	// retry cures (a key KMS refuses or cannot use) or an answer lacking
	// the wrapped data key, or cancelled.
	GenerateDataKeyFailures int64
	// DecryptFailures counts the Decrypt calls that failed in the end, as
	// GenerateDataKeyFailures does, an answer lacking the KeyId that
	// DecrypterConfig.KeyIDs are checked against included.
	DecryptFailures int64
	// DescribeKeyFailures counts the DescribeKey calls that failed in the
	// end, as GenerateDataKeyFailures does: the Encrypter's health checks
	// and the Decrypter's resolutions of DecrypterConfig.KeyIDs, an answer
	// lacking the key metadata or, resolving KeyIDs, the key ARN included.
	DescribeKeyFailures int64
}

// counters is the live, concurrency-safe form of Stats.
type counters struct {
	generateDataKey, decrypt, describeKey atomic.Int64
	hits, misses, retries                 atomic.Int64
	messages, failures                    atomic.Int64

	generateFailures, decryptFailures, describeFailures atomic.Int64
}

// failed counts a GenerateDataKey, Decrypt or DescribeKey call (op) that
// failed.
func (c *counters) failed(op string) {
	switch op {
	case "GenerateDataKey":
		c.generateFailures.Add(1)
	case "Decrypt":
		c.decryptFailures.Add(1)
	case "DescribeKey":
		c.describeFailures.Add(1)
	}
}

func (c *counters) snapshot() Stats {
	return Stats{
		GenerateDataKeyCalls: c.generateDataKey.Load(),
		DecryptCalls:         c.decrypt.Load(),
		DescribeKeyCalls:     c.describeKey.Load(),
		CacheHits:            c.hits.Load(),
		CacheMisses:          c.misses.Load(),
		Retries:              c.retries.Load(),
		Messages:             c.messages.Load(),
		Failures:             c.failures.Load(),

		GenerateDataKeyFailures: c.generateFailures.Load(),
		DecryptFailures:         c.decryptFailures.Load(),
		DescribeKeyFailures:     c.describeFailures.Load(),
	}
}
