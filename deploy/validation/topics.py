"""The topic lists of the compose file and the Kubernetes Job: "name:partitions" words."""


def parse_topic_list(text):
    topics = {}
    for word in text.split():
        name, _, partitions = word.partition(":")
        topics[name] = int(partitions) if partitions.isdigit() else -1
    return topics
