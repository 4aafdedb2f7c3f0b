extension Schema {
    /// Search within one user's conversations through the index alone. Besides its words, a message's search
    /// vector holds one lexeme per participant of its conversation, `~` and the md5 of their id (the text parser
    /// never makes a lexeme with `~`), so a search ANDs the viewer's lexeme with the query and the GIN index
    /// yields only the viewer's matches. The lexeme speeds the search; the join on the participants still decides
    /// who may read a message.
    static let v9: [String] = [
        """
        CREATE FUNCTION messaging_search_members(conversation uuid) RETURNS tsvector
            LANGUAGE sql STABLE PARALLEL SAFE
            RETURN coalesce(
                (SELECT array_to_tsvector(array_agg('~' || md5(p.user_id)))
                 FROM conversation_participants p WHERE p.conversation_id = conversation),
                ''::tsvector)
        """,
        """
        CREATE FUNCTION messaging_search_row(content text, conversation uuid) RETURNS tsvector
            LANGUAGE sql STABLE PARALLEL SAFE
            RETURN messaging_search_document(content) || messaging_search_members(conversation)
        """,
        """
        CREATE OR REPLACE FUNCTION messages_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.search_vector := CASE
                WHEN NEW.deleted_at IS NULL THEN messaging_search_row(NEW.content, NEW.conversation_id)
            END;
            RETURN NEW;
        END
        $$
        """,
        """
        UPDATE messages SET search_vector = messaging_search_row(content, conversation_id) WHERE deleted_at IS NULL
        """,
    ]
}
