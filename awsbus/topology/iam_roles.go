package topology

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sourceflow-go/sourceflow"
)

// iamRole is what a queue, topic or table is to the service. A resource may
// play several: the service's own command queue is sent to and consumed.
type iamRole uint16

const (
	// roleCommand is the queue of a command destination the service routes
	// a type to: it sends to it.
	roleCommand iamRole = 1 << iota
	// roleConsumed is a queue the service consumes.
	roleConsumed
	// roleDeadLetter is the dead-letter queue of a consumed queue.
	roleDeadLetter
	// rolePeerDeadLetter is the dead-letter queue of a queue the service
	// only sends to, which another service consumes.
	rolePeerDeadLetter
	// roleTopic is a topic of the plan.
	roleTopic
	// roleSubscribed is a topic the service subscribes one of its queues to.
	roleSubscribed
	// roleTable is a table of the stores.
	roleTable
	// roleListedQueue is a queue of the plan's Queues or the dead-letter
	// queue of one: every queue of a plan made by New.
	roleListedQueue
	// roleUnpublished is a topic the service routes no type to: it does
	// not publish there, it only subscribes.
	roleUnpublished
	// roleForeign is a queue or topic of another account or region, named
	// by its ARN (Plan.Foreign).
	roleForeign
)

// roleWords are the words of the roles in a statement id, in this order,
// before the kind of the resource: "ConsumedCommandQueues". A topic and a
// table are named by their kind alone. A resource without the role of its
// kind (a topic a Plan not made by New subscribes to without listing it
// among its Topics, or a command queue missing from its Queues) has
// "Unlisted" before its kind: "SubscribedUnlistedTopics"; a Foreign one
// (of another account or region) has "Foreign": "CommandForeignQueues".
// A topic the service does not publish to has "Unpublished" after its
// roles: "SubscribedUnpublishedTopics" is a topic it only consumes.
// No word is the start of another, so each class has a name of its own.
var roleWords = []struct {
	role iamRole
	word string
}{
	{roleConsumed, "Consumed"}, {roleCommand, "Command"}, {roleDeadLetter, "DeadLetter"},
	{rolePeerDeadLetter, "PeerDeadLetter"}, {roleSubscribed, "Subscribed"}, {roleUnpublished, "Unpublished"},
}

// resourceKind is a kind of resource: the service of its ARN, its name in
// statement ids and the role every resource of the kind has in a plan made
// by New, if any.
type resourceKind struct {
	service, kind string
	role          iamRole
}

// resourceKinds are the kinds of resources, in the order of the
// statements; the last entry stands for any other service.
var resourceKinds = []resourceKind{
	{"sqs", "Queues", roleListedQueue}, {"sns", "Topics", roleTopic}, {"dynamodb", "Tables", roleTable}, {"", "Resources", 0},
}

// resourceClass is the kind of a resource and the roles it plays. The
// actions a resource needs follow from its class.
type resourceClass struct {
	kind  int // index in resourceKinds
	roles iamRole
}

// classOf returns the class of the resource arn playing roles.
func classOf(arn string, roles iamRole) resourceClass {
	parts := strings.SplitN(arn, ":", 4) // arn:partition:service:…
	kind := slices.IndexFunc(resourceKinds, func(k resourceKind) bool {
		return k.service == "" || len(parts) > 2 && k.service == parts[2]
	})
	return resourceClass{kind: kind, roles: roles}
}

// name is the class's statement id: the words of its roles, then its
// kind.
func (c resourceClass) name() string {
	var b strings.Builder
	for _, w := range roleWords {
		if c.roles&w.role != 0 {
			b.WriteString(w.word)
		}
	}
	if k := resourceKinds[c.kind]; c.roles&roleForeign != 0 {
		b.WriteString("Foreign")
	} else if c.roles&k.role != k.role {
		b.WriteString("Unlisted")
	}
	return b.String() + resourceKinds[c.kind].kind
}

// compareClasses orders classes by kind, then by roles, those without the
// role of their kind (unlisted) after the others.
func compareClasses(a, b resourceClass) int {
	if a.kind != b.kind {
		return cmp.Compare(a.kind, b.kind)
	}
	base := resourceKinds[a.kind].role
	return cmp.Compare(a.roles^base, b.roles^base)
}

// roles returns the roles of the plan's queues, dead-letter queues, topics
// and tables, by ARN.
func (b iamBuilder) roles() map[string]iamRole {
	queues, dlqs := b.consumed()
	var peerDLQs, listed []string
	for _, q := range b.plan.Queues {
		if !q.Owned {
			peerDLQs = append(peerDLQs, q.DLQ)
		}
		listed = append(listed, q.Name, q.DLQ)
	}
	out := map[string]iamRole{}
	for _, r := range []struct {
		role iamRole
		arns []string
	}{
		{roleCommand, b.arns("sqs", b.commandQueues())}, {roleConsumed, b.arns("sqs", queues)},
		{roleDeadLetter, b.arns("sqs", dlqs)}, {rolePeerDeadLetter, b.arns("sqs", peerDLQs)},
		{roleTopic, b.arns("sns", b.topics())}, {roleSubscribed, b.arns("sns", b.subscribedTopics())},
		{roleTable, b.tableARNs()}, {roleListedQueue, b.arns("sqs", listed)},
		{roleForeign, append(b.foreign(sourceflow.KindCommand), b.foreign(sourceflow.KindEvent)...)},
	} {
		for _, arn := range r.arns {
			out[arn] |= r.role
		}
	}
	b.markUnpublished(out)
	return out
}

// markUnpublished gives roleUnpublished to the topics among roles that the
// service does not publish to.
func (b iamBuilder) markUnpublished(roles map[string]iamRole) {
	published := b.arns("sns", b.publishedTopics())
	for arn, r := range roles {
		if r&(roleTopic|roleSubscribed) != 0 && !slices.Contains(published, arn) {
			roles[arn] |= roleUnpublished
		}
	}
}
