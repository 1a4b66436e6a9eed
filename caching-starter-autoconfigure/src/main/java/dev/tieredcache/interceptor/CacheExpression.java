package dev.tieredcache.interceptor;

import java.lang.reflect.Method;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.EvaluationException;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.standard.SpelExpressionParser;

/**
 * One SpEL expression of one annotated method, parsed once when the method is first seen.
 *
 * <p>The common case of a key that is just an argument ({@code #id}, {@code #p0},
 * {@code #a0}) is recognised at parse time and read straight from the argument array, so
 * a cache hit evaluates no SpEL and builds no evaluation context.
 */
final class CacheExpression {

	private static final SpelExpressionParser PARSER = new SpelExpressionParser();

	private static final ParameterNameDiscoverer NAMES = new DefaultParameterNameDiscoverer();

	private static final Pattern ARGUMENT = Pattern.compile("#(?:[pa](\\d+)|([A-Za-z_$][\\w$]*))");

	private final String source;

	private final String description;

	private final @Nullable Expression expression;

	private final int argumentIndex;

	private CacheExpression(String source, String description, @Nullable Expression expression, int argumentIndex) {
		this.source = source;
		this.description = description;
		this.expression = expression;
		this.argumentIndex = argumentIndex;
	}

	/**
	 * Parses an expression.
	 * @param source the expression text
	 * @param role what it is for, such as "key of @ReadThrough"
	 * @param method the annotated method
	 * @return the parsed expression
	 * @throws IllegalStateException naming the method and the expression if it does not parse
	 */
	static CacheExpression parse(String source, String role, Method method) {
		String description = "'" + source + "' (" + role + " on " + MethodDescriptions.describe(method) + ")";
		int index = argumentIndex(source.trim(), method);
		if (index >= 0) {
			return new CacheExpression(source, description, null, index);
		}
		try {
			return new CacheExpression(source, description, PARSER.parseExpression(source), -1);
		}
		catch (ParseException ex) {
			throw new IllegalStateException("Invalid SpEL expression " + description + ": " + ex.getMessage(), ex);
		}
	}

	private static int argumentIndex(String source, Method method) {
		Matcher matcher = ARGUMENT.matcher(source);
		if (!matcher.matches()) {
			return -1;
		}
		if (matcher.group(1) != null) {
			int index = Integer.parseInt(matcher.group(1));
			return (index < method.getParameterCount()) ? index : -1;
		}
		String[] names = NAMES.getParameterNames(method);
		if (names != null && !"result".equals(matcher.group(2))) {
			for (int i = 0; i < names.length; i++) {
				if (names[i].equals(matcher.group(2))) {
					return i;
				}
			}
		}
		return -1;
	}

	/** Returns the index of the argument the expression is, or -1 if it is more than that. */
	int argumentIndex() {
		return (this.expression == null) ? this.argumentIndex : -1;
	}

	/** Whether evaluating needs no evaluation context. */
	boolean isArgument() {
		return this.expression == null;
	}

	String source() {
		return this.source;
	}

	/** Whether the expression may read the method's result, known only after the call. */
	boolean mentionsResult() {
		return this.source.contains("#result");
	}

	/** Returns the expression with its role and method, for error messages. */
	String description() {
		return this.description;
	}

	/**
	 * Evaluates the expression.
	 * @param invocation the call, which builds the evaluation context when needed
	 * @return the value
	 * @throws CacheExpressionException naming the expression if evaluation fails
	 */
	@Nullable Object value(InvocationContext invocation) {
		if (this.expression == null) {
			return invocation.arguments()[this.argumentIndex];
		}
		return value(invocation.evaluationContext());
	}

	/**
	 * Evaluates the expression in a given context.
	 * @param context the context
	 * @return the value
	 * @throws CacheExpressionException naming the expression if evaluation fails
	 */
	@Nullable Object value(EvaluationContext context) {
		try {
			if (this.expression == null) {
				return context.lookupVariable("p" + this.argumentIndex);
			}
			return this.expression.getValue(context);
		}
		catch (EvaluationException ex) {
			throw new CacheExpressionException("Cannot evaluate " + this.description + ": " + ex.getMessage(), ex);
		}
		catch (RuntimeException ex) {
			// Thrown by a method the expression calls, and rethrown by SpEL as is: its message
			// may quote the argument (a key, a value), so only its type is named.
			throw new CacheExpressionException("Cannot evaluate " + this.description + ": it threw "
					+ ex.getClass().getName(), ex);
		}
	}

	/**
	 * Evaluates a condition.
	 * @param invocation the call
	 * @return whether it holds
	 */
	boolean isTrue(InvocationContext invocation) {
		Object value = value(invocation);
		if (value instanceof Boolean bool) {
			return bool;
		}
		throw new CacheExpressionException("Condition " + this.description + " did not evaluate to a boolean", null);
	}

	static ParameterNameDiscoverer parameterNames() {
		return NAMES;
	}

}
