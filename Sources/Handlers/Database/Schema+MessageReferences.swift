extension Schema {
    /// The references of a message are checked by the statements that insert it, in place of foreign keys: each
    /// foreign key ran a query and took a row lock per message inside the send's statement, a fifth of its time,
    /// while the statement held its conversations' locks. Every insert into `messages` takes its conversation from
    /// `conversations` in the same statement (the sends' under `FOR UPDATE`), and a send stores a message only
    /// when its sender takes part in the conversation (`conversation_participants`, whose foreign keys stay, so the
    /// sender is a user). Neither users nor conversations are ever deleted.
    static let v14: [String] = [
        """
        ALTER TABLE messages DROP CONSTRAINT messages_conversation_id_fkey
        """,
        """
        ALTER TABLE messages DROP CONSTRAINT messages_sender_id_fkey
        """,
    ]
}
