// A small ambient declaration of the React hooks and JSX the design document's frontend code uses, so that
// `tsc --noEmit --strict` can check that code against the generated stubs without the npm packages.
declare module "react" {
  export function useState<S>(initial: S | (() => S)): [S, (value: S | ((previous: S) => S)) => void];
  export function useEffect(effect: () => void | (() => void), dependencies?: readonly unknown[]): void;
  export function useRef<T>(initial: T): { current: T };
}

declare namespace JSX {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  interface IntrinsicElements { [element: string]: any }
  // eslint-disable-next-line @typescript-eslint/no-empty-interface
  interface Element {}
}
