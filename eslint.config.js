import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    // The dashboard renders log text (attacker-controlled) only as text nodes: no HTML parsing sinks at all.
    files: ['src/web/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'srcdoc', 'createContextualFragment', 'parseFromString', 'setHTMLUnsafe'].map((property) => ({
          property,
          message: 'Log text is untrusted: build DOM with el()/textContent, never HTML strings.',
        })),
        { object: 'document', property: 'write', message: 'Never document.write.' },
        { object: 'document', property: 'writeln', message: 'Never document.writeln.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[computed=true][property.value=/^(innerHTML|outerHTML|insertAdjacentHTML|srcdoc|setHTMLUnsafe)$/]",
          message: 'Log text is untrusted: no HTML sinks, even by computed name.',
        },
        {
          selector: "CallExpression[callee.property.name='setAttribute'][arguments.0.value=/^(on|style$|srcdoc$)/i]",
          message: 'No event-handler, style or srcdoc attributes (CSP forbids inline code and styles).',
        },
      ],
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
    },
  },
);
