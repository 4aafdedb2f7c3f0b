extension Schema {
    /// Presence across nodes.
    ///
    /// - `presence_nodes`: each node's heartbeat. A node whose beat is older than the presence timeout counts as
    ///   dead, and its sessions no longer count.
    /// - `presence_sessions`: one row per user and node while that node holds at least one socket of the user.
    /// - `user_presence`: when each user was last seen online.
    ///
    /// There are no foreign keys: a socket's user need not be provisioned, and a sweeper deletes a dead node's rows
    /// itself, because it must know whose they were.
    static let v8: [String] = [
        """
        CREATE TABLE presence_nodes (
            node_id text PRIMARY KEY,
            beat_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE presence_sessions (
            user_id text NOT NULL,
            node_id text NOT NULL,
            since timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (user_id, node_id)
        )
        """,
        """
        CREATE INDEX presence_sessions_node ON presence_sessions (node_id)
        """,
        """
        CREATE TABLE user_presence (
            user_id text PRIMARY KEY,
            last_seen_at timestamptz NOT NULL
        )
        """,
    ]
}
