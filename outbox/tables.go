package outbox

// Tables returns the names of the tables Bind makes for the outbox topic
// (Config.Topic; TopicFor names a service's): its rows' and its dead
// letters' (watermill_<Topic>, watermill_<Topic>_dead_letters), their
// offsets (watermill_offsets_…) and its held rows'
// (sourceflow_outbox_held_<Topic>), unquoted, for a health check or an
// operator's backup.
func Tables(topic string) []string {
	var names []string
	for _, t := range []string{topic, deadLetterTopic(topic)} {
		names = append(names, "watermill_"+t, "watermill_offsets_"+t)
	}
	return append(names, heldPrefix+topic)
}
