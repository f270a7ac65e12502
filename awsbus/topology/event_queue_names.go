package topology

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/sourceflow-go/sourceflow"
)

// topicHashLength is how many hex digits of a foreign topic's ARN's
// SHA-256 tell its event queue apart from another topic's of its name.
const topicHashLength = 8

// nameEventQueues names the event queue of each listened topic through
// opts.EventQueueName. Two topics of one name, one of them named by ARN
// (in another account or region), get one name from the default: each of
// those named by ARN then gets a queue of its own, "<name>-<hash>" (the
// first hex digits of its ARN's SHA-256, the name cut short to stay
// within SQS's limit with its dead-letter queue's suffix), while a topic
// named by name keeps its queue. A topic on its own keeps its name. A
// name check failure is left to checkName.
func (r *routing) nameEventQueues(opts Options) {
	byQueue := map[string][]*destination{}
	for _, d := range r.sortedDests() {
		if d.kind != sourceflow.KindEvent || !d.listened {
			continue
		}
		if d.arnErr != nil {
			continue
		}
		d.queue = opts.EventQueueName(eventQueueNameParams(r.service, d))
		byQueue[d.queue] = append(byQueue[d.queue], d)
	}
	for _, ds := range byQueue {
		renameForeignNamesakes(r.service, ds)
	}
}

// eventQueueNameParams returns the parameters naming d's event queue, the
// topic's name without its ARN.
func eventQueueNameParams(service string, d *destination) EventQueueNameParams {
	if d.foreign != nil {
		return EventQueueNameParams{Service: service, Topic: d.foreign.Name, TopicARN: d.foreign.ARN}
	}
	return EventQueueNameParams{Service: service, Topic: d.name}
}

// renameForeignNamesakes gives each topic named by ARN among ds (topics
// sharing one queue name) a queue of its own when another of ds has its
// topic name. Topics of different names sharing a queue name (a
// listen.queue or EventQueueName naming one queue for them) keep it: the
// duplicate-queue check refuses them as it does two own topics.
func renameForeignNamesakes(service string, ds []*destination) {
	names := map[string]int{}
	for _, d := range ds {
		names[eventQueueNameParams(service, d).Topic]++
	}
	for _, d := range ds {
		if d.foreign != nil && names[d.foreign.Name] > 1 {
			d.queue = foreignEventQueueName(d.queue, d.name)
		}
	}
}

// foreignEventQueueName returns queue told apart by arn's hash:
// "<base>-<hash>", ".fifo" kept, base cut short so that its dead-letter
// queue's name fits MaxQueueNameLength.
func foreignEventQueueName(queue, arn string) string {
	sum := sha256.Sum256([]byte(arn))
	suffix := "-" + hex.EncodeToString(sum[:])[:topicHashLength]
	fifo := IsFIFO(queue)
	base := baseName(queue)
	room := MaxQueueNameLength - len(DLQSuffix) - len(suffix) - len(withFIFO("", fifo))
	if len(base) > room {
		base = base[:max(room, 0)]
	}
	return withFIFO(base+suffix, fifo)
}
