package outbox_test

import (
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow/outbox"
)

// Each service gets an outbox of its own, named after it: a plain name is
// kept, another is cleaned and hashed. ValidateTopic checks a topic taken
// on its own, such as one given on a command line.
func ExampleTopicFor() {
	for _, service := range []string{"billing", "billing-api", "Billing"} {
		fmt.Printf("%s: %s\n", service, outbox.TopicFor(service))
	}
	for _, topic := range []string{"outbox_billing", "billing_dead_letters", "outbox_topic_of_thirty_two_bytes", "outbox_topic_of_thirty_three_byte"} {
		err := outbox.ValidateTopic(topic)
		fmt.Printf("%s valid: %t\n", topic, !errors.Is(err, outbox.ErrInvalidTopic))
	}
	// Output:
	// billing: outbox_billing
	// billing-api: outbox_billing_api_48be48f7
	// Billing: outbox_billing_3ac8bbca
	// outbox_billing valid: true
	// billing_dead_letters valid: false
	// outbox_topic_of_thirty_two_bytes valid: true
	// outbox_topic_of_thirty_three_byte valid: false
}
