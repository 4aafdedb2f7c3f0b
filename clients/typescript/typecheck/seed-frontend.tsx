// The design document's frontend code (its `useMessaging` hook and `ChatComponent`), type-checked against the
// generated stubs. It is the document's code; the only changes are types the document leaves to React's inference
// (marked "adapted"), `MessagesSocket` for the untyped `Socket`, the document's undefined `fetchConversation`,
// written here with the generated `ApiClient`, and the catch-up after a reconnect that was not recovered (marked
// "Added").
import { useEffect, useState, useRef } from 'react';
import { io } from 'socket.io-client';
import { catchUpAfterReconnect } from '../src/reconnect';
import {
  ApiClient,
  type Conversation,
  type ConversationListResponse,
  type Message,
  type MessageListResponse,
  type MessagesSocket,
} from '../src/index';

export function useMessaging(token: string, conversationId?: string) {
  const [socket, setSocket] = useState<MessagesSocket | null>(null);
  const [messages, setMessages] = useState<Message[]>([]); // adapted: the document's useState([])
  const [isConnected, setIsConnected] = useState(false);
  const [isTyping, setIsTyping] = useState(false);
  const lastSeen = useRef<string | null>(null);
  const lastMessage = useRef<string | null>(null);

  useEffect(() => {
    // Initialize socket connection
    const newSocket: MessagesSocket = io('http://localhost:8000/messages', {
      auth: { token }
    });

    newSocket.on('connect', () => {
      setIsConnected(true);
      console.log('Connected to messaging server');
      // Added to the document's hook: after a reconnect the server did not recover, catch up over REST.
      const api = new ApiClient({ baseUrl: 'http://localhost:8000', token: () => token });
      const open = conversationId ? [{ conversationId, lastMessageId: lastMessage.current ?? undefined }] : [];
      catchUpAfterReconnect(newSocket, api, open, (_, missed) => setMessages((prev) => [...prev, ...missed]));
    });

    newSocket.on('connected', (data) => {
      console.log('Authentication successful:', data);
    });

    newSocket.on('disconnect', () => {
      setIsConnected(false);
      console.log('Disconnected from messaging server');
    });

    newSocket.on('new_message', (message) => {
      setMessages((prev) => [...prev, message]);
      lastMessage.current = message.id;
    });

    newSocket.on('user_typing', (data) => {
      if (data.conversationId === conversationId) {
        setIsTyping(data.isTyping);
      }
    });

    newSocket.on('messages_read', (data) => {
      // Update message read status
      console.log('Messages read:', data);
      lastSeen.current = data.lastReadMessageId;
    });

    setSocket(newSocket);

    return () => {
      newSocket.close();
    };
  }, [token]);

  useEffect(() => {
    if (socket && conversationId) {
      // Join conversation room
      socket.emit('join_conversation', { conversationId }, (response) => {
        console.log('Joined conversation:', response);
      });

      return () => {
        // Leave conversation room on unmount
        socket.emit('leave_conversation', { conversationId });
      };
    }
  }, [socket, conversationId]);

  const sendMessage = (content: string, attachments = []) => {
    if (socket && conversationId) {
      socket.emit('send_message', {
        conversationId,
        content,
        messageType: 'text',
        attachments
      }, (response) => {
        if (response.success) {
          console.log('Message sent successfully');
        } else {
          console.error('Error sending message:', response.error);
        }
      });
    }
  };

  const indicateTyping = (isTyping: boolean) => {
    if (socket && conversationId) {
      socket.emit('typing', { conversationId, isTyping });
    }
  };

  const markAsRead = () => {
    if (socket && conversationId) {
      socket.emit('mark_as_read', { conversationId });
    }
  };

  return {
    socket,
    messages,
    isConnected,
    isTyping,
    sendMessage,
    indicateTyping,
    markAsRead
  };
}

// The document calls this without defining it: the contract's main conversation, through the generated client.
async function fetchConversation(contractId: string): Promise<Conversation> {
  const api = new ApiClient({ baseUrl: 'http://localhost:8000', token: () => 'jwt' });
  const { data } = await api.listConversations({ query: { contractId } });
  const conversation = data.conversations.find((c) => c.milestoneId === null) ?? data.conversations[0];
  if (!conversation) throw new Error('no conversation for ' + contractId + ' of ' + data.total);
  return conversation;
}

// adapted: the document's untyped props and change event
export function ChatComponent({ contractId, token }: { contractId: string; token: string }) {
  const [conversationId, setConversationId] = useState<string | null>(null); // adapted: useState(null)
  const [inputValue, setInputValue] = useState('');
  const {
    messages,
    isConnected,
    isTyping,
    sendMessage,
    indicateTyping,
    markAsRead
  } = useMessaging(token, conversationId ?? undefined); // adapted: null is not an optional string

  useEffect(() => {
    // Fetch conversation for contract
    fetchConversation(contractId).then(conv => {
      setConversationId(conv.id);
    });
  }, [contractId]);

  useEffect(() => {
    // Mark messages as read when viewing conversation
    if (conversationId) {
      markAsRead();
    }
  }, [conversationId, messages]);

  const handleSend = () => {
    if (inputValue.trim()) {
      sendMessage(inputValue);
      setInputValue('');
      indicateTyping(false);
    }
  };

  const handleInputChange = (e: { target: { value: string } }) => {
    setInputValue(e.target.value);
    indicateTyping(e.target.value.length > 0);
  };

  return (
    <div>
      <div>Status: {isConnected ? 'Connected' : 'Disconnected'}</div>

      <div className="messages">
        {messages.map((msg) => (
          <div key={msg.id}>{msg.content}{msg.isRead ? ' ✓✓' : ' ✓'}</div>
        ))}
        {isTyping && <div>User is typing...</div>}
      </div>

      <input
        value={inputValue}
        onChange={handleInputChange}
        onBlur={() => indicateTyping(false)}
        placeholder="Type a message..."
      />
      <button onClick={handleSend}>Send</button>
    </div>
  );
}

// The list answers are flat, with the document's field names.
export function documentShapes(conversations: ConversationListResponse, history: MessageListResponse): number {
  const { total, page, limit, totalPages } = conversations.data;
  const { hasMore } = history.data;
  // @ts-expect-error there is no pagination object
  void history.data.pagination;
  return total + page + limit + totalPages + (hasMore ? 1 : 0) + history.data.total;
}
