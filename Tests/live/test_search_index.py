"""The search index is written after the sends commit (`search_pending`, `SearchIndexer`), against the real server and
PostgreSQL: what a node queued and did not index yet is indexed by the next node that looks, after a SIGKILL; a
SIGTERM indexes the node's queue before it exits; two nodes indexing the same sends write each vector once and
leave no queue; an edit changes the index at once, whatever the indexer does afterwards."""
import signal
import threading

from conftest import start_messaging_server
from messaging_helpers import api, open_conversation, searchable

# A node that does not index on its own during a test.
NEVER = 60_000
UNLIMITED = dict(RATE_LIMIT_SEND="1000000/1000000", RATE_LIMIT_REST="1000000/1000000")


def send_many(server, user, conversation, count, word):
    sent = []
    for index in range(count):
        response = api(server, user, "POST", f"/api/messages/conversations/{conversation}/messages",
                       json={"content": f"{word} number {index}"})
        assert response.status_code == 201, response.text
        sent.append(response.json()["data"]["id"])
    return sent


def found(server, user, word):
    response = api(server, user, "GET", "/api/messages/search", params={"q": word, "limit": 50})
    assert response.status_code == 200, response.text
    return {hit["message"]["id"] for hit in response.json()["data"]["results"]}


def queued(cluster):
    return int(cluster.sql("SELECT count(*) FROM search_pending"))


def test_a_killed_nodes_queue_is_indexed_by_the_next_node(cluster, tmp_path_factory):
    first = start_messaging_server(tmp_path_factory.mktemp("a"), DATABASE_URL=cluster.url, **UNLIMITED,
                                   SEARCH_INDEX_DELAY_MS=NEVER)
    client, _, _, _, conversation = open_conversation(first)
    sent = send_many(first, client, conversation, 20, "quartz")
    assert queued(cluster) >= 20
    assert found(first, client, "quartz") == set()
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    second = start_messaging_server(tmp_path_factory.mktemp("b"), DATABASE_URL=cluster.url, **UNLIMITED)
    try:
        searchable(second, client, "quartz", sent[-1])
        assert found(second, client, "quartz") == set(sent)
        assert queued(cluster) == 0
    finally:
        second.stop()


def test_sigterm_indexes_the_queue_before_exiting(cluster, tmp_path_factory):
    first = start_messaging_server(tmp_path_factory.mktemp("a"), DATABASE_URL=cluster.url, **UNLIMITED,
                                   SEARCH_INDEX_DELAY_MS=NEVER)
    client, _, _, _, conversation = open_conversation(first)
    sent = send_many(first, client, conversation, 20, "walnut")
    first.process.send_signal(signal.SIGTERM)
    assert first.process.wait(timeout=30) == 0
    assert queued(cluster) == 0
    second = start_messaging_server(tmp_path_factory.mktemp("b"), DATABASE_URL=cluster.url, **UNLIMITED,
                                    SEARCH_INDEX_DELAY_MS=NEVER)
    try:
        assert found(second, client, "walnut") == set(sent)
    finally:
        second.stop()


def test_two_nodes_index_each_message_once(cluster, tmp_path_factory):
    nodes = [start_messaging_server(tmp_path_factory.mktemp(name), DATABASE_URL=cluster.url, **UNLIMITED,
                                    SEARCH_INDEX_DELAY_MS=50) for name in ("a", "b")]
    try:
        client, freelancer, _, _, conversation = open_conversation(nodes[0])
        sent = {}

        def sender(node, user, word):
            sent[word] = send_many(node, user, conversation, 40, word)

        threads = [threading.Thread(target=sender, args=(nodes[0], client, "amber")),
                   threading.Thread(target=sender, args=(nodes[1], freelancer, "cobalt"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        searchable(nodes[1], client, "amber", sent["amber"][-1])
        searchable(nodes[0], freelancer, "cobalt", sent["cobalt"][-1])
        assert found(nodes[0], freelancer, "amber") == set(sent["amber"])
        assert found(nodes[1], client, "cobalt") == set(sent["cobalt"])
        assert queued(cluster) == 0
        assert cluster.sql(
            f"SELECT count(*) FROM message_search s JOIN messages m ON m.id = s.message_id "
            f"WHERE m.conversation_id = '{conversation}'") == cluster.sql(
            f"SELECT count(*) FROM messages WHERE conversation_id = '{conversation}'")
    finally:
        for node in nodes:
            node.stop()


def test_an_edit_is_indexed_at_once_and_the_queue_does_not_undo_it(cluster, tmp_path_factory):
    node = start_messaging_server(tmp_path_factory.mktemp("a"), DATABASE_URL=cluster.url, **UNLIMITED,
                                  SEARCH_INDEX_DELAY_MS=NEVER)
    try:
        client, _, _, _, conversation = open_conversation(node)
        message = send_many(node, client, conversation, 1, "saffron")[0]
        edited = api(node, client, "PATCH", f"/api/messages/conversations/{conversation}/messages/{message}",
                     json={"content": "turmeric instead"})
        assert edited.status_code == 200, edited.text
        assert found(node, client, "turmeric") == {message}
        # The send's queue entry is still there; indexing it now must keep the edited text.
        assert queued(cluster) >= 1
        cluster.sql("SELECT messaging_search_index_pending(1000)")
        assert found(node, client, "turmeric") == {message}
        assert found(node, client, "saffron") == set()
        deleted = api(node, client, "DELETE", f"/api/messages/conversations/{conversation}/messages/{message}")
        assert deleted.status_code == 200, deleted.text
        assert found(node, client, "turmeric") == set()
    finally:
        node.stop()
