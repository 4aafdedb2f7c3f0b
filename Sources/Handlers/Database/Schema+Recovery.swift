extension Schema {
    /// Connection state recovery's tables without write-ahead log: they cost the send path more than the messages
    /// themselves did (every broadcast a row of about 700 bytes, its GIN and B-tree entries, and a commit that
    /// waited for the disk, for each flush). Unlogged tables keep their rows through restarts of any server node
    /// and clean restarts of PostgreSQL; a crash of PostgreSQL (or a failover to a standby) empties all three at
    /// once, so a returning client is then told it was not recovered (a fresh session, which catches up over REST)
    /// rather than recovered with events missing. Old broadcasts are deleted by offset (a version-7 UUID whose text
    /// order is time order), so the index on their creation time goes.
    static let v13: [String] = [
        """
        ALTER TABLE socket_events SET UNLOGGED
        """,
        """
        ALTER TABLE socket_sessions SET UNLOGGED
        """,
        """
        ALTER TABLE socket_nodes SET UNLOGGED
        """,
        """
        DROP INDEX socket_events_created_at
        """,
    ]
}
