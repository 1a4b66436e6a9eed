package dev.tieredcache.interceptor;

import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.expression.EvaluationContext;

/**
 * One intercepted call as the cache expressions see it. The SpEL evaluation context is
 * built on first need only, so calls whose expressions are plain arguments build none.
 * Not thread-safe: one per call.
 */
final class InvocationContext {

	private final Method method;

	private final Object[] arguments;

	private final Object target;

	private final Class<?> targetClass;

	private final @Nullable BeanFactory beanFactory;

	private @Nullable MethodBasedEvaluationContext context;

	private boolean hasResult;

	private @Nullable Object result;

	InvocationContext(Method method, Object[] arguments, Object target, Class<?> targetClass,
			@Nullable BeanFactory beanFactory) {
		this.method = method;
		this.arguments = arguments;
		this.target = target;
		this.targetClass = targetClass;
		this.beanFactory = beanFactory;
	}

	Object[] arguments() {
		return this.arguments;
	}

	/**
	 * Makes the method's result visible as {@code #result}.
	 * @param result the unwrapped result
	 */
	void setResult(@Nullable Object result) {
		this.hasResult = true;
		this.result = result;
		if (this.context != null) {
			this.context.setVariable("result", result);
		}
	}

	/**
	 * Makes a value visible to expressions as {@code #name}, such as the element key of a
	 * batch read.
	 */
	void setVariable(String name, @Nullable Object value) {
		evaluationContext().setVariable(name, value);
	}

	EvaluationContext evaluationContext() {
		if (this.context == null) {
			MethodBasedEvaluationContext created = new MethodBasedEvaluationContext(
					new Root(this.method, this.arguments, this.target, this.targetClass), this.method, this.arguments,
					CacheExpression.parameterNames());
			if (this.beanFactory != null) {
				created.setBeanResolver(new BeanFactoryResolver(this.beanFactory));
			}
			if (this.hasResult) {
				created.setVariable("result", this.result);
			}
			this.context = created;
		}
		return this.context;
	}

	/**
	 * The {@code #root} object of cache expressions, as in Spring's own cache annotations.
	 */
	public static final class Root {

		private final Method method;

		private final Object[] args;

		private final Object target;

		private final Class<?> targetClass;

		Root(Method method, Object[] args, Object target, Class<?> targetClass) {
			this.method = method;
			this.args = args;
			this.target = target;
			this.targetClass = targetClass;
		}

		public Method getMethod() {
			return this.method;
		}

		public String getMethodName() {
			return this.method.getName();
		}

		public Object[] getArgs() {
			return this.args;
		}

		public Object getTarget() {
			return this.target;
		}

		public Class<?> getTargetClass() {
			return this.targetClass;
		}

	}

}
